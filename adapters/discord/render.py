"""Lay a Reply out as a Discord message: an embed for answers, plain content otherwise, within
Discord's length limits (a long answer is trimmed with a link to its source)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import discord

from bot import strings
from bot.i18n import localize
from bot.messages import Reply

from adapters.discord.feedback import feedback_view

CONTENT_MAX = 2000
TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_MAX = 1024
FOOTER_MAX = 2048
EMBED_TOTAL_MAX = 6000
ANSWER_ROUTES = ("answer", "partial")
NO_MENTIONS = discord.AllowedMentions.none()


def fit(text: str, limit: int, suffix: str = "") -> str:
    """`text` if it fits in `limit` characters, else cut at a word boundary + "…" + `suffix`."""
    if len(text) <= limit:
        return text
    tail = "…" + (f"\n\n{suffix}" if suffix else "")
    room = max(0, limit - len(tail))
    cut = text[:room]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space > room // 2:
        cut = cut[:space]
    return (cut.rstrip() + tail)[:limit]


@dataclass
class Layout:
    """What to send: content and/or embeds, feedback buttons, and whether only the asker sees it."""

    content: str | None = None
    embeds: list[discord.Embed] = field(default_factory=list)
    view: discord.ui.View | None = None
    ephemeral: bool = False

    def kwargs(self) -> dict[str, Any]:
        """Keyword arguments for send/reply/followup.send (never pinging anyone)."""
        out: dict[str, Any] = {"allowed_mentions": NO_MENTIONS}
        if self.content is not None:
            out["content"] = self.content
        if self.embeds:
            out["embeds"] = self.embeds
        if self.view is not None:
            out["view"] = self.view
        return out

    def edit_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for editing a shown message into this layout (text it had is cleared)."""
        return {"content": None, **self.kwargs()}


def _sources_field(reply: Reply) -> str:
    lines = []
    for n, s in enumerate(reply.sources, start=1):
        title = fit(s.title, 200)
        lines.append(f"{n}. [{title}]({s.url})" if s.url else f"{n}. {title} ({s.id})")
    text = ""
    for line in lines:  # whole lines only, so no link is cut in half
        if len(text) + len(line) + 1 > FIELD_MAX:
            break
        text = f"{text}\n{line}" if text else line
    return text


def answer_embed(reply: Reply, service: str) -> discord.Embed:
    """The answer as an embed: title and link of the best source, the answer, notes, sources, footer."""
    top = reply.sources[0] if reply.sources else None
    embed = discord.Embed(
        title=fit(top.title, TITLE_MAX) if top else None,
        url=top.url if top and top.url else None,
        colour=discord.Colour.blurple(),
    )
    sources = _sources_field(reply)
    if sources:
        embed.add_field(name=localize(strings.DISCORD_SOURCES, reply.language), value=sources, inline=False)
    if reply.audit_id is not None:
        embed.set_footer(text=fit(localize(strings.DISCORD_FOOTER, reply.language).format(service=service, ref=reply.audit_id), FOOTER_MAX))
    notes = "\n".join(reply.notes)
    body = f"{reply.answer}\n\n{notes}" if notes else reply.answer
    room = min(DESCRIPTION_MAX, EMBED_TOTAL_MAX - len(embed))
    more = localize(strings.READ_MORE, reply.language).format(url=top.url) if top and top.url else ""
    embed.description = fit(body, room, more)
    return embed


def closest_embed(reply: Reply) -> discord.Embed:
    """Not sure which section answers it: the lead line as the title, the numbered section links
    (Markdown links, as the reply text has them) and the contact line as the description."""
    lead = localize(strings.CLOSEST_SECTIONS, reply.language)
    body = reply.answer.removeprefix(lead).strip()
    notes = "\n".join(reply.notes)
    embed = discord.Embed(title=fit(lead, TITLE_MAX), colour=discord.Colour.light_grey())
    embed.description = fit(f"{body}\n\n{notes}" if notes else body, DESCRIPTION_MAX)
    return embed


def render(reply: Reply, service: str, private: bool = False, extra: tuple[discord.ui.Item, ...] = ()) -> Layout:
    """The Discord layout of `reply`, with its feedback buttons and the `extra` ones ("Ask a person");
    `private` makes it ephemeral."""
    ephemeral = private or reply.ephemeral
    view = feedback_view(reply, extra)
    if reply.route in ANSWER_ROUTES and reply.answer:
        return Layout(embeds=[answer_embed(reply, service)], view=view, ephemeral=ephemeral)
    if reply.route == "unknown" and "closest_sections" in reply.reasons:
        return Layout(embeds=[closest_embed(reply)], view=view, ephemeral=ephemeral)
    text = "\n".join([reply.answer, *reply.notes]).strip()
    return Layout(content=fit(text or localize(strings.ERROR, reply.language), CONTENT_MAX), view=view, ephemeral=ephemeral)
