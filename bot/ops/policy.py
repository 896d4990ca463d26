"""Per-channel guard mode (enforce | monitor), stored in the audit database's `settings` table.

`channel_mode(bot, channel)` is what the guard asks for each message: the channel's own mode if
an admin set one (`policy <channel> enforce|monitor`), else `[guard] mode`.
"""

from __future__ import annotations

import sqlite3

import sqlite_utils

MODES = ("enforce", "monitor")
_PREFIX = "guard.channel_mode:"


def default_mode(bot) -> str:
    return bot.settings.guard["mode"]


def channel_mode(bot, channel: str) -> str:
    row = bot.audit.db.execute("select value from settings where key = ?", [_PREFIX + str(channel)]).fetchone()
    return row[0] if row else default_mode(bot)


def set_channel_mode(bot, channel: str, mode: str | None) -> None:
    """Set the channel's mode, or go back to the default with `mode=None`."""
    if mode is not None and mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}")
    key = _PREFIX + str(channel)
    # Own connection: the audit log's shared one is written by message threads under its own lock.
    db = sqlite_utils.Database(sqlite3.connect(str(bot.audit.path), timeout=10))
    try:
        if mode is None:
            db["settings"].delete_where("key = ?", [key])
        else:
            db["settings"].upsert({"key": key, "value": mode}, pk="key")
    finally:
        db.close()
    guard = getattr(bot, "guard", None)
    if guard is not None:  # the live guard switches at once
        guard.set_channel_mode(str(channel), mode)


def channel_modes(bot) -> dict[str, str]:
    rows = bot.audit.db.execute("select key, value from settings where key like ?", [_PREFIX + "%"]).fetchall()
    return {key[len(_PREFIX):]: value for key, value in rows}
