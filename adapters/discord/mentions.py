"""Mentions and direct messages: answered in a reply to the message, or in a thread."""

from __future__ import annotations

import asyncio
import logging
import re

import discord

from bot import strings
from bot.messages import Reply

from adapters.discord import respond
from adapters.discord.render import CONTENT_MAX, NO_MENTIONS, Layout, fit, render
from adapters.live import LivePreview

log = logging.getLogger(__name__)

THREAD_NAME_MAX = 100


def addressed_to_me(client: discord.Client, message: discord.Message) -> bool:
    """A DM, or a guild message that mentions the bot itself (or its role), not just @everyone."""
    me = client.user
    if me is None or message.author.bot or message.author.id == me.id:
        return False
    if message.guild is None:
        return True
    if any(user.id == me.id for user in message.mentions):
        return True
    own_role = message.guild.self_role
    return own_role is not None and own_role in message.role_mentions


def strip_mentions(text: str, client: discord.Client, guild: discord.Guild | None) -> str:
    """The question without the mention of the bot (user or role mention)."""
    me = client.user
    patterns = [rf"<@!?{me.id}>"]
    if guild is not None and guild.self_role is not None:
        patterns.append(rf"<@&{guild.self_role.id}>")
    return " ".join(re.sub("|".join(patterns), " ", text).split())


async def _target(client, message: discord.Message, question: str) -> discord.abc.Messageable:
    """Where the answer goes: a new thread on the message in "thread" mode, else the channel."""
    in_channel = isinstance(message.channel, discord.TextChannel)
    if client.settings.discord["reply_in"] == "thread" and in_channel:
        return await message.create_thread(name=fit(question, THREAD_NAME_MAX) or client.helpbot.service)
    return message.channel


async def answer_message(client, message: discord.Message) -> None:
    """Answer a mention or DM; failures are logged, audited and answered with a friendly error."""
    if not addressed_to_me(client, message):
        return
    claims = getattr(client, "claims", None)  # replicas sharing PostgreSQL: one answers each message
    if claims is not None and claims.shared and not await asyncio.to_thread(claims.claim, f"message:{message.id}"):
        log.info("discord: message %s is answered by another replica", message.id)
        return
    question = strip_mentions(message.content, client, message.guild)
    audited = False
    target = message.channel
    reply = None
    try:
        target = await _target(client, message, question)
        msg = respond.to_message(client.settings, question, message.author, target.id)
        live = LivePreview(lambda text: _deliver(message, target, Layout(content=fit(text, CONTENT_MAX))),
                           lambda sent, text: sent.edit(content=fit(text, CONTENT_MAX), allowed_mentions=NO_MENTIONS),
                           client.settings.discord["edit_interval_s"])
        try:
            async with target.typing():
                reply = await client.helpbot.handle(msg, live)
        finally:
            await live.close()
        audited = reply.audit_id is not None
        layout = render(reply, client.helpbot.service)
        if live.shown:  # the answer takes over the preview message
            await live.handle.edit(**layout.edit_kwargs())
        else:
            await _deliver(message, target, layout)
    except Exception as exc:  # noqa: BLE001 - one failing message never stops the bot
        if reply is not None and isinstance(exc, respond.DELIVERY_ERRORS):
            await respond.delivery_failed(client.helpbot, f"message {message.id}", reply.audit_id, exc)
        else:
            log.exception("discord message %s failed", message.id)
        try:
            if not audited:
                msg = respond.to_message(client.settings, question, message.author, target.id)
                await respond.audit(client.helpbot, msg, Reply("unknown", strings.ERROR, reasons=["error.discord"]))
            await _deliver(message, target, Layout(content=strings.ERROR))
        except Exception:  # noqa: BLE001
            log.exception("could not report the error for message %s", message.id)


async def _deliver(message: discord.Message, target, layout: Layout) -> discord.Message:
    """Reply to the message (quoting it) in its channel; post plainly in a new thread.
    Ephemeral does not exist for normal messages, so refusals are posted like answers."""
    if target.id == message.channel.id:
        return await message.reply(**layout.kwargs(), mention_author=False)
    return await target.send(**layout.kwargs())
