"""Reload when the knowledge folder changes (`[ops] watch = true`), by polling file mtimes.

A change is acted on once the folder has been quiet for one interval, so an editor saving
several files (or a `git pull`) causes one reload, not one per file.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from bot.ops.reload import reload_knowledge

log = logging.getLogger("helpbot.ops.watch")


def folder_signature(root: Path) -> tuple:
    """(path, mtime_ns, size) of every file under `root`, sorted; missing files simply drop out."""
    entries = []
    for path in root.rglob("*"):
        try:
            st = path.stat()
        except OSError:
            continue
        if path.is_file():
            entries.append((path.relative_to(root).as_posix(), st.st_mtime_ns, st.st_size))
    return tuple(sorted(entries))


async def watch_knowledge(bot, interval: float = 2.0) -> None:
    """Run until cancelled: poll `bot.knowledge_dir` every `interval` seconds, reload after changes."""
    root = Path(bot.knowledge_dir)
    seen = await asyncio.to_thread(folder_signature, root)
    pending = None
    while True:
        await asyncio.sleep(interval)
        current = await asyncio.to_thread(folder_signature, root)
        if current == seen:
            continue
        if current != pending:
            pending = current  # still changing: wait one more quiet interval
            continue
        seen, pending = current, None
        result = await reload_knowledge(bot, who="watcher", wait=True)
        if not result.ok:
            log.warning("watched reload failed", extra={"event": "watch", "errors": result.errors})
