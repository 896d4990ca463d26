"""Answering interactions: defer at once, then one follow-up; and the audit row for each one."""

from __future__ import annotations

import asyncio
import logging

import discord

from bot import strings
from bot.messages import Message, Reply

from adapters.discord.access import is_admin
from adapters.discord.render import CONTENT_MAX, NO_MENTIONS, Layout, fit
from adapters.live import LivePreview

log = logging.getLogger(__name__)

_PUBLIC_DEFER = "hb_public_defer"  # interaction.extras: the public "thinking" message is still there
AUDIT_ID = "hb_audit_id"  # interaction.extras: the audit row written for this interaction
# Sends that Discord refused: discord.py has already waited out 429s (at most `max_ratelimit_timeout`).
DELIVERY_ERRORS = (discord.HTTPException, discord.RateLimited)
DELIVERY_FAILED = "delivery.failed"  # the reason added to the audit row of an answer that was not posted


async def delivery_failed(helpbot, what: str, audit_id: int | None, error: BaseException) -> None:
    """Make an answer that could not be posted visible to admins: a WARNING (without the text),
    `helpbot_delivery_failures_total` in /metrics, and `delivery.failed` on its audit row (`helpbot stats`)."""
    status = getattr(error, "status", 429)
    reason = "ratelimited" if status == 429 else f"http_{status}"
    log.warning("discord: could not post the answer to %s (%s)", what, reason)
    helpbot.metrics.delivery_failed("discord", reason)
    if audit_id is not None:
        await asyncio.to_thread(helpbot.audit.add_reason, audit_id, DELIVERY_FAILED)


async def first_claim(interaction: discord.Interaction) -> bool:
    """Replicas sharing PostgreSQL on one shard all receive each button click and form: True on the
    one replica that claims it (always True for a single process)."""
    claims = getattr(interaction.client, "claims", None)
    if claims is None or not claims.shared:
        return True
    if await asyncio.to_thread(claims.claim, f"interaction:{interaction.id}"):
        return True
    log.info("discord: interaction %s is handled by another replica", interaction.id)
    return False


def conversation_id(channel_id: int | None, user_id: int) -> str:
    """Follow-ups group per channel (or thread) and user."""
    return f"discord:{channel_id}:{user_id}"


def to_message(settings, text: str, user: discord.abc.User, channel_id: int | None) -> Message:
    return Message(
        text,
        platform="discord",
        user_id=str(user.id),
        channel_id=str(channel_id),
        conversation_id=conversation_id(channel_id, user.id),
        is_admin=is_admin(user, settings),
    )


def interaction_message(interaction: discord.Interaction, text: str) -> Message:
    return to_message(interaction.client.settings, text, interaction.user, interaction.channel_id)


async def defer(interaction: discord.Interaction, ephemeral: bool) -> None:
    """Acknowledge within Discord's 3 seconds; the answer follows with `send`."""
    await interaction.response.defer(ephemeral=ephemeral)
    interaction.extras[_PUBLIC_DEFER] = not ephemeral


async def send(interaction: discord.Interaction, layout: Layout) -> discord.WebhookMessage | None:
    """Send `layout` as the interaction's answer: the response, or a follow-up after `defer`."""
    kwargs = layout.kwargs()
    if not interaction.response.is_done():
        await interaction.response.send_message(**kwargs, ephemeral=layout.ephemeral)
        return None
    if layout.ephemeral and interaction.extras.get(_PUBLIC_DEFER):
        # The first follow-up after a public defer replaces the public "thinking" message and
        # keeps its visibility; delete that message so this one can be seen by the asker alone.
        await interaction.delete_original_response()
    interaction.extras[_PUBLIC_DEFER] = False
    return await interaction.followup.send(**kwargs, ephemeral=layout.ephemeral, wait=True)


async def replace(interaction: discord.Interaction, layout: Layout) -> None:
    """Send `layout` in place of a preview shown in the original response (see `preview`)."""
    if layout.ephemeral and interaction.extras.get(_PUBLIC_DEFER):
        await send(interaction, layout)  # deletes the public preview; the answer goes to the asker only
        return
    await interaction.edit_original_response(**layout.edit_kwargs())


def preview(interaction: discord.Interaction) -> LivePreview:
    """The progress sink for a deferred interaction: the answer so far, in the original response."""

    async def show(text: str) -> bool:
        await interaction.edit_original_response(content=fit(text, CONTENT_MAX), allowed_mentions=NO_MENTIONS)
        return True

    return LivePreview(show, lambda _, text: show(text), interaction.client.settings.discord["edit_interval_s"])


async def audit(helpbot, message: Message, reply: Reply) -> int:
    """Write the audit row for an interaction the pipeline did not handle (admin, errors)."""
    return await asyncio.to_thread(helpbot.audit.record, message, reply)


def command_text(interaction: discord.Interaction) -> str:
    """What the user sent, for the audit log: "/ask question:... private:True", or the button id."""
    data = interaction.data or {}
    if "custom_id" in data:
        return f"button {data['custom_id']}"
    words, options = [f"/{data.get('name', '?')}"], list(data.get("options") or [])
    while options:
        option = options.pop(0)
        if "value" in option:
            words.append(f"{option['name']}:{option['value']}")
        else:  # a subcommand: its name, then its own options
            words.append(option["name"])
            options = list(option.get("options") or []) + options
    return " ".join(words)


async def report_error(interaction: discord.Interaction, error: BaseException) -> None:
    """Log a failed interaction, audit it if nothing did, and tell the user in an ephemeral message."""
    if isinstance(error, DELIVERY_ERRORS):
        await delivery_failed(interaction.client.helpbot, f"interaction {interaction.id}", interaction.extras.get(AUDIT_ID), error)
    else:
        log.error("discord interaction %s failed", interaction.id, exc_info=error)
    try:
        if interaction.extras.get(AUDIT_ID) is None:
            message = interaction_message(interaction, command_text(interaction))
            reply = Reply("unknown", strings.ERROR, reasons=["error.discord"], ephemeral=True)
            interaction.extras[AUDIT_ID] = await audit(interaction.client.helpbot, message, reply)
        await send(interaction, Layout(content=strings.ERROR, ephemeral=True))
    except Exception:  # noqa: BLE001 - reporting must never raise in the error handler
        log.exception("could not report the error for interaction %s", interaction.id)
