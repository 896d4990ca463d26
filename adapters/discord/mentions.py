"""Messages: mentions and DMs, new forum posts and answer-channel messages (see channels.py), answered
in a reply to the message, in a new thread on it, or in the forum post."""

from __future__ import annotations

import asyncio
import logging

import discord

from bot import strings
from bot.handoff import quiet
from bot.messages import Reply

from adapters.discord import handoff, respond
from adapters.discord.channels import Ask, incoming, quiet_reaction
from adapters.discord.render import CONTENT_MAX, NO_MENTIONS, Layout, fit, render
from adapters.live import LivePreview

log = logging.getLogger(__name__)

THREAD_NAME_MAX = 100


class Target:
    """Where the answer goes: the message's channel (a reply quoting it, or the forum post), or a new
    thread on it in "thread" mode. The thread is only started when something is sent, so a message
    the bot stays quiet on gets no empty thread. Its id is known before: a thread started on a
    message has the message's id."""

    def __init__(self, client, message: discord.Message, ask: Ask):
        self.client, self.message, self.ask = client, message, ask
        self.in_thread = client.settings.discord["reply_in"] == "thread" and ask.kind != "forum" \
            and isinstance(message.channel, discord.TextChannel)
        self.id = message.id if self.in_thread else message.channel.id
        self._thread: discord.Thread | None = None

    async def send(self, layout: Layout) -> discord.Message:
        if self.in_thread:
            if self._thread is None:
                name = fit(self.ask.question, THREAD_NAME_MAX) or self.client.helpbot.service
                self._thread = await self.message.create_thread(name=name)
            return await self._thread.send(**layout.kwargs())
        if self.ask.kind == "forum":  # the answer is the post's next message; no quote of its first one
            return await self.message.channel.send(**layout.kwargs())
        return await self.message.reply(**layout.kwargs(), mention_author=False)

    def typing(self):
        return self.message.channel.typing()


async def answer_message(client, message: discord.Message) -> None:
    """Answer a message the bot should answer; failures are logged and audited, and answered with a
    friendly error where the bot is not meant to stay quiet."""
    ask = await incoming(client, message)
    if ask is None:
        return
    claims = getattr(client, "claims", None)  # replicas sharing PostgreSQL: one answers each message
    if claims is not None and claims.shared and not await asyncio.to_thread(claims.claim, f"message:{message.id}"):
        log.info("discord: message %s is answered by another replica", message.id)
        return
    target = Target(client, message, ask)
    msg = respond.to_message(client.settings, ask.question, message.author, target.id)
    audited = False
    reply = None
    try:
        live = LivePreview(lambda text: target.send(Layout(content=fit(text, CONTENT_MAX))),
                           lambda sent, text: sent.edit(content=fit(text, CONTENT_MAX), allowed_mentions=NO_MENTIONS),
                           client.settings.discord["edit_interval_s"])
        try:
            async with target.typing():
                reply = await client.helpbot.handle(msg, live)
        finally:
            await live.close()
        audited = reply.audit_id is not None
        if ask.quiet and not live.shown and quiet(reply):
            await stay_quiet(client, message, reply)
            return
        layout = render(reply, client.helpbot.service, extra=handoff.buttons(client, reply))
        if live.shown:  # the answer takes over the preview message
            await live.handle.edit(**layout.edit_kwargs())
        else:
            await target.send(layout)
    except Exception as exc:  # noqa: BLE001 - one failing message never stops the bot
        if reply is not None and isinstance(exc, respond.DELIVERY_ERRORS):
            await respond.delivery_failed(client.helpbot, f"message {message.id}", reply.audit_id, exc)
        else:
            log.exception("discord message %s failed", message.id)
        try:
            if not audited:
                await respond.audit(client.helpbot, msg, Reply("unknown", strings.ERROR, reasons=["error.discord"]))
            if not ask.quiet:
                await target.send(Layout(content=strings.ERROR))
        except Exception:  # noqa: BLE001
            log.exception("could not report the error for message %s", message.id)


async def stay_quiet(client, message: discord.Message, reply: Reply) -> None:
    """Nothing useful to say in a forum or answer channel: no message, at most the configured reaction.
    The audit row is there already (written by the pipeline)."""
    log.info("discord: quiet on message %s (route %s)", message.id, reply.route)
    emoji = quiet_reaction(client.settings)
    if not emoji:
        return
    try:
        await message.add_reaction(emoji)
    except discord.HTTPException as exc:  # a missing Add Reactions permission must not look like a crash
        log.warning("discord: cannot add the reaction %r to message %s (%s %s): give the bot Add Reactions "
                    "or set [discord] quiet_reaction = \"\"", emoji, message.id, exc.status, exc.text)
