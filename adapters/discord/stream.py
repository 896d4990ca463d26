"""Streamed answers: show text as it arrives by editing one message, at a throttled rate."""

from __future__ import annotations

import time
from typing import AsyncIterable, Awaitable, Callable

import discord

from adapters.discord import respond
from adapters.discord.render import CONTENT_MAX, NO_MENTIONS, Layout, fit


class ThrottledEditor:
    """Accumulate text pieces and show them with `edit(text)`: at most one edit per `interval`
    seconds while pieces arrive, and always a last edit with the whole text (cut to `limit`)."""

    def __init__(
        self,
        edit: Callable[[str], Awaitable[object]],
        interval: float = 1.0,
        limit: int = CONTENT_MAX,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.edit = edit
        self.interval = interval
        self.limit = limit
        self.clock = clock
        self.edits = 0

    async def run(self, pieces: AsyncIterable[str]) -> str:
        """Consume `pieces`; return the whole text."""
        text, shown, last = "", None, None
        async for piece in pieces:
            text += piece
            now = self.clock()
            if text.strip() and (last is None or now - last >= self.interval):
                shown = await self._show(text)
                last = self.clock()
        if text.strip() and fit(text, self.limit) != shown:
            await self._show(text)
        return text

    async def _show(self, text: str) -> str:
        shown = fit(text, self.limit)
        await self.edit(shown)
        self.edits += 1
        return shown


async def stream_followup(
    interaction: discord.Interaction,
    pieces: AsyncIterable[str],
    ephemeral: bool = False,
    interval: float | None = None,
) -> str:
    """Answer an interaction with text generated piece by piece: one follow-up message, edited
    as the text grows (defers first if needed), at most once per `interval` seconds (default:
    [discord] edit_interval_s). Returns the whole text."""
    if interval is None:
        interval = interaction.client.settings.discord["edit_interval_s"]
    if not interaction.response.is_done():
        await respond.defer(interaction, ephemeral)
    message = await respond.send(interaction, Layout(content="…", ephemeral=ephemeral))

    async def edit(text: str) -> None:
        await message.edit(content=text, allowed_mentions=NO_MENTIONS)

    return await ThrottledEditor(edit, interval).run(pieces)
