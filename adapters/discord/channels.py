"""Where the bot speaks: @mentions and DMs everywhere; every new forum post in [discord] forum_channels
and every new top-level message in [discord] answer_channels without a mention. In those two, the
bot stays quiet when it has nothing useful to say (an emoji reaction at most)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import discord

from bot.messages import Reply

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


def ids(values) -> set[str]:
    """Channel ids from settings (ints or strings, "discord:123" allowed) as strings."""
    return {str(v).removeprefix("discord:").strip() for v in values or () if str(v).strip()}


def forum_channels(settings) -> set[str]:
    return ids(settings.discord.get("forum_channels"))


def answer_channels(settings) -> set[str]:
    return ids(settings.discord.get("answer_channels"))


def needs_message_content(settings) -> list[str]:
    """The settings that make the bot read messages that do not mention it (Message Content intent)."""
    wanted = [name for name in ("forum_channels", "answer_channels") if settings.discord.get(name)]
    if (getattr(settings, "handoff", None) or {}).get("discord_channel"):
        wanted.append("[handoff] discord_channel")
    return [w if w.startswith("[") else f"[discord] {w}" for w in wanted]


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
    if isinstance(channel, discord.Thread) and str(channel.parent_id) in forum_channels(client.settings):
        return channel
    return None


def post_question(post: discord.Thread, message: discord.Message) -> str:
    """A forum post asks with its title and its first message: both, unless one repeats the other."""
    title = (post.name or "").strip()
    body = message.content.strip()
    if not title or title.lower() in body.lower():
        return body or title
    return f"{title}\n{body}" if body else title


async def incoming(client: discord.Client, message: discord.Message) -> Ask | None:
    """What to answer in `message`, or None when the bot should not speak."""
    me = client.user
    if me is None or message.author.bot or message.author.id == me.id:
        return None
    settings = client.settings
    if addressed_to_me(client, message):
        if not settings.discord["mentions"]:
            return None
        return Ask(strip_mentions(message.content, client, message.guild), "mention")
    if message.type not in PERSON_MESSAGES:
        return None
    post = await forum_post(client, message) if forum_channels(settings) else None
    if post is not None:
        return Ask(post_question(post, message), "forum")
    if str(message.channel.id) in answer_channels(settings) and not isinstance(message.channel, discord.Thread):
        return Ask(message.content.strip(), "channel")
    return None


def nothing_useful(reply: Reply) -> bool:
    """In forum and answer channels: a refusal, "I don't know" with no close section to show (errors
    included: they are logged and audited), or small talk other than "what can you do?" (people
    thanking each other)."""
    if reply.route in ("refuse", "unknown"):
        return not reply.sources
    return reply.route == "smalltalk" and "smalltalk.help" not in reply.reasons


def quiet_reaction(settings) -> str:
    """The emoji added to a message the bot stays quiet on; empty = none."""
    return str(settings.discord.get("quiet_reaction") or "").strip()
