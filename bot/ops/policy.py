"""The admin `policy` command's helpers: per-channel guard modes (enforce | monitor).

The overrides are stored by the bot's `ChannelModes` store (`bot.modes`, in the audit database);
the live guard keeps them in memory and is switched at once by `set_channel_mode`. A channel
without an override runs in the guard's own mode: `[guard] mode`, or the policy file's `mode`.
"""

from __future__ import annotations

from bot.core.modes import MODES

__all__ = ["MODES", "channel_mode", "channel_modes", "default_mode", "set_channel_mode"]


def default_mode(bot) -> str:
    """The mode the guard runs in where no channel override is set."""
    return bot.guard.mode


def channel_mode(bot, channel: str) -> str:
    return bot.modes.get(channel) or default_mode(bot)


def set_channel_mode(bot, channel: str, mode: str | None) -> None:
    """Store the channel's mode (or go back to the default with `mode=None`) and switch the live guard."""
    bot.modes.set(channel, mode)
    bot.guard.set_channel_mode(str(channel), mode)


def channel_modes(bot) -> dict[str, str]:
    return bot.modes.all()
