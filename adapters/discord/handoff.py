""""Ask a person": the button under replies the bot could not answer well, the post to [handoff]
discord_channel (redacted question, the bot's reply, a link to the original) with a thread where
people answer, and the answers people write there (bot.handoff keeps the record).

custom_id "hb:ask:<audit_id>[:<answer message id>]": the click is understood after a restart."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import re

import discord

from bot import strings
from bot.i18n import language_of, localize
from bot.handoff import handoff_channel, offers_handoff

from adapters.discord.access import is_admin
from adapters.discord.render import CONTENT_MAX, NO_MENTIONS, fit
from adapters.discord.respond import first_claim

log = logging.getLogger(__name__)

THREAD_NAME_MAX = 100
# What the bot needs in the handoff channel: post, start a thread on the post, write in it.
NEEDED = ("view_channel", "send_messages", "create_public_threads", "send_messages_in_threads")


def channel_id(client) -> int | None:
    """[handoff] discord_channel as an id, or None (no "Ask a person" button on Discord)."""
    value = handoff_channel(client.settings, "discord")
    return int(value) if value.isdigit() else None


def offered(client, reply) -> bool:
    """Whether "Ask a person" goes under `reply`."""
    return channel_id(client) is not None and offers_handoff(reply, str(channel_id(client)))


def buttons(client, reply) -> tuple[discord.ui.Item, ...]:
    """The extra buttons under `reply`: "Ask a person" when it is offered."""
    return (AskPersonButton(reply.audit_id, lang=reply.language),) if offered(client, reply) else ()


def after_not_helpful(client, audit_id: int, answer: discord.Message | None) -> discord.ui.View | None:
    """Under the thanks for a "Not helpful" click: "Ask a person" (naming the answer, so the handoff
    can quote and link it), when a handoff channel is set."""
    if channel_id(client) is None:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(AskPersonButton(audit_id, answer.id if answer is not None else None))
    return view


def jump_link(guild_id: int | None, channel: int, message: int | None = None) -> str:
    where = f"https://discord.com/channels/{guild_id or '@me'}/{channel}"
    return f"{where}/{message}" if message else where


def message_text(message: discord.Message | None) -> str:
    """The text of a reply the bot sent: its content, or its embed's title and description."""
    if message is None:
        return ""
    parts = [message.content or ""]
    for embed in message.embeds:
        parts += [embed.title or "", embed.description or ""]
    return "\n".join(p for p in parts if p).strip()


def original_link(interaction: discord.Interaction, answer: discord.Message | None) -> str:
    """A link to the question: the message the answer replied to; the answer itself (a thread's or a
    public /ask answer sits right under the question); or the channel (an ephemeral answer)."""
    if answer is not None and answer.reference is not None and answer.reference.message_id:
        ref = answer.reference
        return jump_link(ref.guild_id or interaction.guild_id, ref.channel_id, ref.message_id)
    if answer is not None and not answer.flags.ephemeral:
        return jump_link(interaction.guild_id, answer.channel.id, answer.id)
    return jump_link(interaction.guild_id, interaction.channel_id)


class AskPersonButton(
    discord.ui.DynamicItem[discord.ui.Button],
    template=r"hb:ask:(?P<audit_id>[0-9]{1,18})(?::(?P<answer_id>[0-9]{1,20}))?",
):
    """The "Ask a person" button; `answer_id` is set when it is not under the answer itself (the
    ephemeral message after a "Not helpful" click)."""

    def __init__(self, audit_id: int, answer_id: int | None = None, lang: str = "en"):
        custom_id = f"hb:ask:{audit_id}" + (f":{answer_id}" if answer_id else "")
        super().__init__(discord.ui.Button(label=localize(strings.ASK_PERSON_BUTTON, lang), style=discord.ButtonStyle.primary,
                                           custom_id=custom_id))
        self.audit_id, self.answer_id = audit_id, answer_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /):
        return cls(int(match["audit_id"]), int(match["answer_id"]) if match["answer_id"] else None)

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.client.serving.run(self._ask(interaction))

    async def _ask(self, interaction: discord.Interaction) -> None:
        client = interaction.client
        if not await first_claim(interaction):
            return
        try:
            await interaction.response.defer(ephemeral=True, thinking=True)
            answer = await self._answer_message(interaction)
            text = await hand_off(client, interaction, self.audit_id, answer)
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        except Exception as exc:  # noqa: BLE001 - a failed click must not go unanswered
            await client.report_error(interaction, exc)

    async def _answer_message(self, interaction: discord.Interaction) -> discord.Message | None:
        """The bot's answer: the message clicked on, or (after "Not helpful") the one it names."""
        if self.answer_id is None:
            return interaction.message
        try:
            return await interaction.channel.fetch_message(self.answer_id)
        except (discord.HTTPException, AttributeError):  # gone, or an ephemeral answer: link the channel
            return None


async def hand_off(client, interaction: discord.Interaction, audit_id: int, answer: discord.Message | None) -> str:
    """Record the handoff and post it (once per answer); the text that tells the asker what happened."""
    desk = client.desk
    target = channel_id(client)
    handoff = await asyncio.to_thread(
        desk.request, "discord", audit_id, str(interaction.user.id), original_link(interaction, answer),
        message_text(answer), str(interaction.channel_id),
    )
    lang = language_of(handoff.question or "")  # the asker is told in their question's language
    if not handoff.new and handoff.post_ref:
        return localize(strings.HANDOFF_ALREADY, lang)
    try:
        post = await post_handoff(client, target, handoff, post_text(desk, handoff, interaction.user.mention))
    except (discord.HTTPException, LookupError) as exc:
        reason = f"{getattr(exc, 'text', '') or type(exc).__name__}: {fix_for(exc)}"
        await asyncio.to_thread(desk.post_failed, handoff.id, reason, str(target), "discord")  # logs the ERROR
        told = localize(strings.HANDOFF_FAILED, lang).format(contact_line=contact_line(client.helpbot)).strip()
        if is_admin(interaction.user, client.settings):  # the admin sees what to fix at once
            told += "\n" + strings.HANDOFF_FAILED_ADMIN.format(channel=target, reason=reason)
        return told
    if handoff.id is not None:
        await asyncio.to_thread(desk.posted, handoff.id, str(post.id))
    return localize(strings.HANDOFF_SENT, lang).format(channel=f"<#{target}>")


def post_text(desk, handoff, asker: str) -> str:
    """The support post within Discord's 2,000 characters: the bot's reply is shortened first, so
    the question and the link are kept."""
    text = desk.post_text(handoff, asker)
    over = len(text) - CONTENT_MAX
    if over > 0 and handoff.bot_reply:
        short = fit(handoff.bot_reply, max(0, len(handoff.bot_reply) - over - 1))
        text = desk.post_text(dataclasses.replace(handoff, bot_reply=short), asker)
    return fit(text, CONTENT_MAX)


def contact_line(helpbot) -> str:
    contact = helpbot.snapshot.kb.scope.get("contact", "")
    return strings.CONTACT_LINE.format(contact=contact) if contact else ""


def fix_for(exc: BaseException) -> str:
    """What the admin should do about a handoff post Discord refused."""
    if isinstance(exc, LookupError) or isinstance(exc, discord.NotFound):
        return "the bot cannot see that channel: check the id and invite the bot to it"
    if isinstance(exc, discord.Forbidden):
        return "give the bot View Channel, Send Messages, Create Public Threads and Send Messages in Threads there"
    return f"Discord answered HTTP {getattr(exc, 'status', '?')}; the asker was told to try the contact line"


async def post_handoff(client, target: int, handoff, text: str) -> discord.abc.Snowflake:
    """Post to the handoff channel with "Save as FAQ", and open the thread people answer in: a thread
    on the post in a text channel, or a new post in a forum channel. Returns the thread (its id is
    the handoff's post_ref)."""
    from adapters.discord.learn import SaveFaqButton  # learn imports this module

    channel = client.get_channel(target)
    if channel is None:
        try:
            channel = await client.fetch_channel(target)
        except discord.NotFound:
            raise LookupError(f"channel {target}") from None
    view = discord.ui.View(timeout=None)
    if handoff.id is not None:
        view.add_item(SaveFaqButton(handoff.id))
    name = fit(handoff.question or strings.ASK_PERSON_BUTTON, THREAD_NAME_MAX).replace("\n", " ")
    if isinstance(channel, discord.ForumChannel):
        created = await channel.create_thread(name=name, content=text, view=view, allowed_mentions=NO_MENTIONS)
        return created.thread
    post = await channel.send(text, view=view, allowed_mentions=NO_MENTIONS)
    return await post.create_thread(name=name)


def check_channel(client) -> None:
    """At start-up: tell the admin at once when the bot cannot post to [handoff] discord_channel."""
    target = channel_id(client)
    raw = handoff_channel(client.settings, "discord")
    if target is None:
        if raw:
            log.error("[handoff] discord_channel = %r is not a channel id: copy the id with right-click -> Copy "
                      "Channel ID (Developer Mode)", raw)
        return
    channel = client.get_channel(target)
    if channel is None:
        log.error("[handoff] discord_channel %s: the bot cannot see that channel; \"Ask a person\" will fail "
                  "until it can: invite the bot to its server and let it view the channel", target)
        return
    perms = channel.permissions_for(channel.guild.me)
    missing = [p for p in NEEDED if not getattr(perms, p)]
    if missing:
        log.error("[handoff] discord_channel %s (#%s): the bot lacks %s there; \"Ask a person\" will fail until "
                  "an admin grants them", target, channel.name, ", ".join(missing))


async def watch_thread(client, message: discord.Message) -> None:
    """A person wrote in a handoff thread: the handoff is answered (its text prefills "Save as FAQ")."""
    target = channel_id(client)
    channel = message.channel
    if target is None or message.author.bot or not isinstance(channel, discord.Thread) or channel.parent_id != target:
        return
    try:
        await asyncio.to_thread(client.desk.answered, "discord", str(channel.id), str(message.author.id),
                                message.content)
    except Exception:  # noqa: BLE001 - a note on the record must never break message handling
        log.exception("discord: could not record the answer in handoff thread %s", channel.id)
