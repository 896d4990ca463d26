"""Feedback buttons under answers. The custom_id carries the audit row id
("hb:fb:<value>:<audit_id>"), so clicks are understood even after a restart."""

from __future__ import annotations

import asyncio
import logging
import re

import discord

from bot import strings
from bot.i18n import localize
from bot.messages import Reply

log = logging.getLogger(__name__)

HELPFUL, NOT_HELPFUL, SHOULD_ANSWER = "helpful", "not_helpful", "should_have_answered"
BUTTONS = {
    HELPFUL: (strings.FEEDBACK_HELPFUL, discord.ButtonStyle.success),
    NOT_HELPFUL: (strings.FEEDBACK_NOT_HELPFUL, discord.ButtonStyle.secondary),
    SHOULD_ANSWER: (strings.FEEDBACK_SHOULD_ANSWER, discord.ButtonStyle.secondary),
}
ROUTE_BUTTONS = {
    "answer": (HELPFUL, NOT_HELPFUL),
    "partial": (HELPFUL, NOT_HELPFUL),
    "unknown": (SHOULD_ANSWER,),
    "refuse": (SHOULD_ANSWER,),
}


def custom_id(value: str, audit_id: int) -> str:
    return f"hb:fb:{value}:{audit_id}"


class FeedbackButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"hb:fb:(?P<value>" + "|".join(map(re.escape, BUTTONS)) + r"):(?P<audit_id>[0-9]{1,18})",
):
    """One feedback button; registered on the client with `add_dynamic_items`."""

    def __init__(self, value: str, audit_id: int, lang: str = "en"):
        label, style = BUTTONS[value]
        super().__init__(discord.ui.Button(label=localize(label, lang), style=style, custom_id=custom_id(value, audit_id)))
        self.value, self.audit_id = value, audit_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /):
        return cls(match["value"], int(match["audit_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.client.serving.run(self._store(interaction))

    async def _store(self, interaction: discord.Interaction) -> None:
        from adapters.discord.handoff import after_not_helpful  # handoff -> render -> this module

        client = interaction.client
        try:
            await asyncio.to_thread(store_feedback, client.helpbot, self.audit_id, str(interaction.user.id), self.value)
            view = after_not_helpful(client, self.audit_id, interaction.message) if self.value == NOT_HELPFUL else None
            await interaction.response.send_message(strings.FEEDBACK_THANKS, ephemeral=True,
                                                    **({"view": view} if view else {}))
        except Exception as exc:  # noqa: BLE001 - a failed click must not go unanswered
            await client.report_error(interaction, exc)


def store_feedback(helpbot, audit_id: int, user_id: str, value: str) -> None:
    """Store a click in the feedback table, with the route and source of the answer it rates."""
    route, source = helpbot.audit.answer_of(audit_id)
    helpbot.audit.feedback("discord", str(audit_id), user_id, value, route, source)


def feedback_view(reply: Reply, extra: tuple[discord.ui.Item, ...] = ()) -> discord.ui.View | None:
    """The buttons that fit the reply's route, then `extra`; or None (no audit row, an error, or
    nothing to rate)."""
    values = ROUTE_BUTTONS.get(reply.route, ())
    failed = any(r.startswith("error.") for r in reply.reasons)
    if reply.audit_id is None or not values or failed:
        return None
    view = discord.ui.View(timeout=None)
    for value in values:
        view.add_item(FeedbackButton(value, reply.audit_id, reply.language))
    for item in extra:
        view.add_item(item)
    return view
