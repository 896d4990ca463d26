"""Per-channel guard modes (enforce | monitor) that admins set, kept in the audit database's
`settings` table so they survive restarts. The bot is handed one store; the guard holds the
modes in memory and is told of each change."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

MODES = ("enforce", "monitor")
_PREFIX = "guard.channel_mode:"


class ChannelModes:
    """Read and write channel overrides; `path` is the audit database."""

    def __init__(self, path: str | Path, db: sqlite_utils.Database | None = None):
        self.path = Path(path)
        self.db = db  # the audit log's shared connection, for reads; writes use their own

    def _read(self, sql: str, params: list) -> list:
        if self.db is not None:
            return self.db.execute(sql, params).fetchall()
        conn = sqlite3.connect(str(self.path), timeout=10)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()

    def get(self, channel: str) -> str | None:
        rows = self._read("select value from settings where key = ?", [_PREFIX + str(channel)])
        return rows[0][0] if rows else None

    def all(self) -> dict[str, str]:
        rows = self._read("select key, value from settings where key like ?", [_PREFIX + "%"])
        return {key[len(_PREFIX):]: value for key, value in rows}

    def set(self, channel: str, mode: str | None) -> None:
        """Set the channel's mode, or drop the override with `mode=None`."""
        if mode is not None and mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        key = _PREFIX + str(channel)
        # Own connection: the audit log's shared one is written by message threads under its own lock.
        db = sqlite_utils.Database(sqlite3.connect(str(self.path), timeout=10))
        try:
            if mode is None:
                db["settings"].delete_where("key = ?", [key])
            else:
                db["settings"].upsert({"key": key, "value": mode}, pk="key")
        finally:
            db.close()
