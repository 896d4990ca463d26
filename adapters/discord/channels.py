"""Where the bot speaks: @mentions and DMs everywhere; every new forum post in [discord] forum_channels
and every new top-level message in [discord] answer_channels without a mention. In those two, the
bot stays quiet when it has nothing useful to say (an emoji reaction at most)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import discord

from bot.handoff import channel_rules

log = logging.getLogger(__name__)

# Message types that are what a person wrote (not "pinned a message", "started a thread", ...)
PERSON_MESSAGES = (discord.MessageType.default,)


@dataclass(frozen=True)
class Ask:
    """A message the bot answers: the question, whether it may stay quiet, and where the answer goes.
    `kind`: "mention" (a mention or DM), "forum" (a new forum post) or "channel" (answer channel)."""

    question: str
    kind: str

    @property
    def quiet(self) -> bool:
        return self.kind != "mention"


def needs_message_content(settings) -> list[str]:
    """The settings that make the bot read messages that do not mention it (Message Content intent)."""
    rules = channel_rules(settings, "discord")
    named = {"[discord] forum_channels": rules.forums, "[discord] answer_channels": rules.answer,
             "[handoff] discord_channel": rules.handoff}
    return [name for name, value in named.items() if value]


def addressed_to_me(client: discord.Client, message: discord.Message) -> bool:
    """A DM, or a guild message that mentions the bot itself (or its role), not just @everyone."""
    me = client.user
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


async def forum_post(client: discord.Client, message: discord.Message) -> discord.Thread | None:
    """The post (a thread in a listed forum) whose first message this is, or None. A forum post is a
    thread with its first message's id; if it is not in the cache yet (events can come in either
    order), it is fetched once."""
    channel = message.channel
    if message.guild is None or message.id != channel.id:
        return None
    if not isinstance(channel, discord.Thread):
        try:
            channel = await client.fetch_channel(channel.id)
        except discord.HTTPException as exc:
            log.warning("discord: cannot look up channel %s (%s)", message.channel.id, exc.status)
            return None
    if isinstance(channel, discord.Thread) and str(channel.parent_id) in channel_rules(client.settings, "discord").forums:
        return channel
    return None


def post_question(post: discord.Thread, message: discord.Message) -> str:
    """A forum post asks with its title and its first message: both, unless the message starts by
    repeating the title."""
    title = (post.name or "").strip()
    body = message.content.strip()
    if not title or body.lower().startswith(title.lower()):
        return body or title
    return f"{title}\n{body}" if body else title


async def incoming(client: discord.Client, message: discord.Message) -> Ask | None:
    """What to answer in `message`, or None when the bot should not speak. A forum post that also
    mentions the bot is asked with its title, and answered even when it has nothing useful."""
    me = client.user
    if me is None or message.author.bot or message.author.id == me.id:
        return None
    settings = client.settings
    mentioned = settings.discord["mentions"] and addressed_to_me(client, message)
    kind = "mention" if mentioned else "forum"
    rules = channel_rules(settings, "discord")
    if message.type in PERSON_MESSAGES and rules.forums and (post := await forum_post(client, message)) is not None:
        question = post_question(post, message)
        return Ask(strip_mentions(question, client, message.guild) if mentioned else question, kind)
    if mentioned:
        return Ask(strip_mentions(message.content, client, message.guild), "mention")
    if message.type not in PERSON_MESSAGES:
        return None
    if str(message.channel.id) in rules.answer and not isinstance(message.channel, discord.Thread):
        # an image or a file alone is no question ("Your message was empty" under it would be noise)
        return Ask(message.content.strip(), "channel") if message.content.strip() else None
    return None


def quiet_reaction(settings) -> str:
    """The emoji added to a message the bot stays quiet on; empty = none."""
    return channel_rules(settings, "discord").quiet_reaction
