"""A live preview of an answer being generated: one platform message, shown on the first update and
edited as the answer grows, at most once per `interval` seconds (chat edit rate limits) and at most
`max_updates` times (Slack's response_url takes five uses in all).

Shared by the Slack and Discord adapters; each passes its own `post` (create the message) and
`edit` (change it) coroutines. It is the pipeline's progress sink, and it never makes the pipeline
wait: updates go out from a background task, and only the newest text is kept. After `close()`
nothing more is sent, so the final reply can safely replace the preview.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Awaitable, Callable

from bot import strings
from bot.messages import Progress

log = logging.getLogger("helpbot.adapters")


def preview_text(progress: Progress) -> str:
    if progress.kind == "queued":
        return strings.QUEUED.format(position=progress.position)
    return progress.text + strings.STILL_WRITING


class LivePreview:
    def __init__(self, post: Callable[[str], Awaitable[Any]], edit: Callable[[Any, str], Awaitable[Any]],
                 interval: float, max_updates: int | None = None):
        self._post, self._edit, self.interval, self.max_updates = post, edit, interval, max_updates
        self.handle: Any = None  # what `post` returned: the platform's message reference
        self.updates = 0  # messages posted or edited
        self._latest = self._shown = ""
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self._task: asyncio.Task | None = None

    @property
    def shown(self) -> bool:
        """Whether a preview message exists (the final reply should then replace it)."""
        return self.handle is not None

    async def __call__(self, progress: Progress) -> None:
        if self._stop.is_set():
            return
        self._latest = preview_text(progress)
        self._wake.set()
        if self._task is None:
            self._task = asyncio.create_task(self._pump())

    async def _pump(self) -> None:
        while not self._stop.is_set() and self.updates != self.max_updates:
            await self._wake.wait()
            self._wake.clear()
            if self._stop.is_set():
                break
            text = self._latest
            if text != self._shown:
                try:
                    if self.handle is None:
                        self.handle = await self._post(text)
                    else:
                        await self._edit(self.handle, text)
                except Exception:  # noqa: BLE001 - a lost preview is cosmetic; the final reply still goes out
                    log.warning("could not update the answer preview; stopping previews", exc_info=True)
                    return
                self._shown, self.updates = text, self.updates + 1
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stop.wait(), self.interval)

    async def close(self) -> None:
        """Stop previewing; waits for an edit in flight, so none can land after the final reply."""
        self._stop.set()
        self._wake.set()
        if self._task is not None:
            await self._task
