"""Per-channel guard modes (enforce | monitor) that admins set, kept in the store's `settings`
table (bot/core/store.py) so they survive restarts and every replica reads the same. The bot is
handed one store; the guard holds the modes in memory and is told of each change."""

from __future__ import annotations

from pathlib import Path

from bot.core.store import Store, StoreUnavailable
from bot.errors import HelpbotError

MODES = ("enforce", "monitor")
_PREFIX = "guard.channel_mode:"


class ChannelModes:
    """Read and write channel overrides in `store` (a Store, or the path of a SQLite file)."""

    def __init__(self, store: Store | str | Path):
        if not isinstance(store, Store):
            from bot.core.store_sqlite import SqliteStore

            store = SqliteStore(store)
        self.store = store

    def get(self, channel: str) -> str | None:
        return self.store.get_setting(_PREFIX + str(channel))

    def all(self) -> dict[str, str]:
        return {key[len(_PREFIX):]: value for key, value in self.store.settings_with_prefix(_PREFIX).items()}

    def set(self, channel: str, mode: str | None) -> None:
        """Set the channel's mode, or drop the override with `mode=None`."""
        if mode is not None and mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        try:
            self.store.set_setting(_PREFIX + str(channel), mode)
        except StoreUnavailable as exc:
            raise HelpbotError(f"the channel mode was not saved ({exc}): try again when the database is back") from None
