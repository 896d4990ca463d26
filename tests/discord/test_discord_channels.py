"""Where the bot speaks without a mention: new forum posts ([discord] forum_channels) and new
messages in answer channels ([discord] answer_channels), and its quiet mode there. Real discord.py
client, loopback fake Discord (which, like Discord, removes the text of messages from clients that
did not ask for the Message Content intent)."""

from __future__ import annotations

import asyncio
import re
import urllib.parse

import discord
import pytest
from discord_support import discord_settings
from fake_discord import (ALICE, BOT_ID, BOT_USER, CHANNEL_ID, FORUM_ID, GUILD_ID, HELP_CHANNEL_ID, TOKEN,
                          FakeDiscord, user)

from adapters.discord import Discord
from adapters.serve import serve
from bot import strings
from bot.errors import HelpbotError

QUESTION = "How do I invite someone to my workspace?"
OFF_TOPIC = "Write me a poem about the sea"
FORUM = {"forum_channels": [str(FORUM_ID)]}
HELP = {"answer_channels": [HELP_CHANNEL_ID]}


def ref_of(body: dict) -> int:
    return int(re.search(r"ref (\d+)$", body["embeds"][0]["footer"]["text"]).group(1))


def rows_for(helpbot, text: str) -> list[dict]:
    return list(helpbot.audit.db["audit"].rows_where("text_redacted = ? and platform = 'discord'", [text]))


async def audited(helpbot, text: str, timeout: float = 20.0) -> dict:
    """The audit row of `text` once the pipeline has written it; a send would follow within ms."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not rows_for(helpbot, text):
        assert loop.time() < deadline, f"no audit row for {text!r}"
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.3)
    return rows_for(helpbot, text)[-1]


def posts(fake, channel: int | str) -> list:
    return fake.find("POST", rf"/channels/{channel}/messages")


async def test_a_new_forum_post_is_answered_in_the_post(helpbot, start_bot):
    async with start_bot(helpbot, **FORUM) as (fake, client):
        thread, first = await fake.forum_post(QUESTION, "I am the owner and cannot find the button.", author=ALICE)
        sent = await fake.wait_request("POST", rf"/channels/{thread['id']}/messages")
    assert "message_reference" not in sent.json  # the post's next message, not a quote of its first one
    assert sent.json["allowed_mentions"]["parse"] == []
    assert "Invite members" in sent.json["embeds"][0]["description"]
    row = helpbot.audit.db["audit"].get(ref_of(sent.json))
    assert row["text_redacted"] == f"{QUESTION}\nI am the owner and cannot find the button."
    assert row["conversation"] == f"discord:{thread['id']}:{ALICE['id']}"
    assert not fake.find("POST", r"/channels/\d+/messages/\d+/threads")


async def test_a_post_whose_thread_is_not_known_yet_is_looked_up(helpbot, start_bot):
    """Discord may deliver the first message before the thread: the bot asks for the channel once."""
    async with start_bot(helpbot, **FORUM) as (fake, client):
        mid = fake.snowflake()
        fake._thread(FORUM_ID, {"name": QUESTION}, mid, owner=int(ALICE["id"]))  # exists, never announced
        message = fake.message_create("", author=ALICE, channel_id=mid, message_id=mid)
        await fake.dispatch("MESSAGE_CREATE", message)
        sent = await fake.wait_request("POST", rf"/channels/{mid}/messages")
        assert fake.find("GET", rf"/channels/{mid}")
    assert "Invite members" in sent.json["embeds"][0]["description"]
    assert helpbot.audit.db["audit"].get(ref_of(sent.json))["text_redacted"] == QUESTION  # the title alone


async def test_only_the_first_message_of_a_post_in_a_listed_forum_is_answered(helpbot, start_bot):
    async with start_bot(helpbot, forum_channels=["1100000000000000999"]) as (fake, client):
        thread, _ = await fake.forum_post(QUESTION, "", author=ALICE)  # a forum that is not listed
        await asyncio.sleep(0.5)
        assert not posts(fake, thread["id"])
    async with start_bot(helpbot, **FORUM) as (fake, client):
        thread, _ = await fake.forum_post(QUESTION, "", author=ALICE)
        await fake.wait_request("POST", rf"/channels/{thread['id']}/messages")
        follow_up = await fake.post("Also, how do I remove a member?", author=ALICE, channel_id=int(thread["id"]))
        await asyncio.sleep(0.5)
        assert len(posts(fake, thread["id"])) == 1  # people talk in the post; the bot answers a mention only
    assert not rows_for(helpbot, follow_up["content"])


async def test_a_forum_post_that_mentions_the_bot_gets_a_reply_even_off_topic(helpbot, start_bot):
    async with start_bot(helpbot, **FORUM) as (fake, client):
        mid = fake.snowflake()
        fake._thread(FORUM_ID, {"name": "Poems?"}, mid, owner=int(ALICE["id"]))
        await fake.dispatch("THREAD_CREATE", {**fake.channels[mid], "newly_created": True})
        first = fake.message_create(f"<@{BOT_ID}> Write me a limerick about a cat", author=ALICE, channel_id=mid,
                                    message_id=mid, mentions=[BOT_USER])
        await fake.dispatch("MESSAGE_CREATE", first)
        sent = await fake.wait_request("POST", rf"/channels/{mid}/messages")
    assert sent.json["content"].startswith("Sorry, I can only help with")
    assert rows_for(helpbot, "Poems? Write me a limerick about a cat")  # title and text, without the mention


async def test_an_answer_channel_message_is_answered_without_a_mention(helpbot, start_bot):
    other_bot = {**user(1300000000000000001, "otherbot"), "bot": True}
    async with start_bot(helpbot, **HELP) as (fake, client):
        await fake.post(QUESTION, author=ALICE, channel_id=CHANNEL_ID)  # not an answer channel
        await fake.post(QUESTION, author=other_bot, channel_id=HELP_CHANNEL_ID)  # bots are never answered
        asked = await fake.post(QUESTION, author=ALICE, channel_id=HELP_CHANNEL_ID)
        sent = await fake.wait_request("POST", rf"/channels/{HELP_CHANNEL_ID}/messages")
        await asyncio.sleep(0.3)
        assert not posts(fake, CHANNEL_ID) and len(posts(fake, HELP_CHANNEL_ID)) == 1
    assert sent.json["message_reference"]["message_id"] == int(asked["id"])
    assert "Invite members" in sent.json["embeds"][0]["description"]
    row = helpbot.audit.db["audit"].get(ref_of(sent.json))
    assert (row["text_redacted"], row["conversation"]) == (QUESTION, f"discord:{HELP_CHANNEL_ID}:{ALICE['id']}")


async def test_answer_channel_in_thread_mode_answers_in_a_thread_on_the_message(helpbot, start_bot):
    async with start_bot(helpbot, reply_in="thread", **HELP) as (fake, client):
        asked = await fake.post(QUESTION, author=ALICE, channel_id=HELP_CHANNEL_ID)
        created = await fake.wait_request("POST", rf"/channels/{HELP_CHANNEL_ID}/messages/{asked['id']}/threads")
        sent = await fake.wait_request("POST", rf"/channels/{asked['id']}/messages")
    assert created.json["name"] == QUESTION
    row = helpbot.audit.db["audit"].get(ref_of(sent.json))
    assert row["conversation"] == f"discord:{asked['id']}:{ALICE['id']}"  # the thread's id is the message's


async def test_off_topic_messages_get_no_reply_in_answer_channels_and_forums(helpbot, start_bot):
    async with start_bot(helpbot, reply_in="thread", **HELP, **FORUM) as (fake, client):
        await fake.post(OFF_TOPIC, author=ALICE, channel_id=HELP_CHANNEL_ID)
        row = await audited(helpbot, OFF_TOPIC)
        thread, _ = await fake.forum_post(OFF_TOPIC, "", author=ALICE)
        await asyncio.sleep(0.3)
        # a mention still gets the refusal: the person asked the bot itself
        asked = await fake.post(f"<@{BOT_ID}> Write me a song about trains", author=ALICE, channel_id=HELP_CHANNEL_ID, mentions=[BOT_USER])
        mentioned = await fake.wait_request("POST", r"/channels/\d+/messages")
        sent = fake.find("POST", r"/channels/\d+/messages")
        assert not fake.find("PUT", r".*/reactions/.*")  # no reaction unless configured
        threads = fake.find("POST", r"/channels/\d+/messages/\d+/threads")  # none started for nothing
        assert [t.path for t in threads] == [f"/channels/{HELP_CHANNEL_ID}/messages/{asked['id']}/threads"]
    assert row["route"] == "refuse"
    assert len(rows_for(helpbot, OFF_TOPIC)) == 2  # both audited, in the channel and in the forum
    assert sent == [mentioned] and mentioned.json["content"].startswith("Sorry, I can only help with")


async def test_quiet_reaction_is_added_instead_of_a_reply(helpbot, start_bot):
    async with start_bot(helpbot, quiet_reaction="🤷", **HELP) as (fake, client):
        asked = await fake.post(OFF_TOPIC, author=ALICE, channel_id=HELP_CHANNEL_ID)
        reaction = await fake.wait_request("PUT", rf"/channels/{HELP_CHANNEL_ID}/messages/{asked['id']}/reactions/.+/@me")
        assert not posts(fake, HELP_CHANNEL_ID)
    assert urllib.parse.unquote(reaction.path.split("/")[6]) == "🤷"


async def test_a_reaction_discord_refuses_is_logged_with_the_fix(helpbot, start_bot, caplog):
    async with start_bot(helpbot, quiet_reaction="🤷", **HELP) as (fake, client):
        fake.fail("PUT", r".*/reactions/.*", status=403)
        await fake.post(OFF_TOPIC, author=ALICE, channel_id=HELP_CHANNEL_ID)
        await fake.wait_request("PUT", r".*/reactions/.*")
        await asyncio.sleep(0.3)
        assert not posts(fake, HELP_CHANNEL_ID)
    assert any("Add Reactions" in r.getMessage() and "quiet_reaction" in r.getMessage() for r in caplog.records)


async def test_closest_sections_are_posted_in_answer_channels(helpbot, start_bot, monkeypatch):
    from test_discord_render import closest_reply

    async def handle(message, progress=None):
        return closest_reply()

    monkeypatch.setattr(helpbot, "handle", handle)
    async with start_bot(helpbot, **HELP) as (fake, client):
        await fake.post("what about money?", author=ALICE, channel_id=HELP_CHANNEL_ID)
        sent = await fake.wait_request("POST", rf"/channels/{HELP_CHANNEL_ID}/messages")
    assert sent.json["embeds"][0]["title"] == strings.CLOSEST_SECTIONS


async def test_a_failure_in_an_answer_channel_is_audited_but_not_posted(helpbot, start_bot, monkeypatch):
    async def broken(message, progress=None):
        raise RuntimeError("boom")

    monkeypatch.setattr(helpbot, "handle", broken)
    async with start_bot(helpbot, **HELP) as (fake, client):
        await fake.post("a question that fails in the help channel", author=ALICE, channel_id=HELP_CHANNEL_ID)
        row = await audited(helpbot, "a question that fails in the help channel")
        assert not posts(fake, HELP_CHANNEL_ID)
    assert row["reasons"] == '["error.discord"]'


async def test_the_message_content_intent_is_asked_for_only_with_those_channels(helpbot, start_bot):
    async with start_bot(helpbot) as (fake, client):
        assert not discord.Intents._from_value(fake.identifies[0]["intents"]).message_content
    async with start_bot(helpbot, mentions=False, **HELP) as (fake, client):
        intents = discord.Intents._from_value(fake.identifies[0]["intents"])
    assert intents.message_content and intents.guild_messages and not intents.dm_messages


async def test_without_the_intent_discord_sends_no_text_so_nothing_is_answered(helpbot, start_bot, monkeypatch):
    """The fake removes the text like Discord does; were the intent not asked for, the bot would see ''."""
    from adapters.discord import client as client_module

    real = client_module.intents_for

    def without_content(settings):
        intents = real(settings)
        intents.message_content = False
        return intents

    monkeypatch.setattr(client_module, "intents_for", without_content)
    async with start_bot(helpbot, **HELP) as (fake, client):
        await fake.post(QUESTION, author=ALICE, channel_id=HELP_CHANNEL_ID)
        await asyncio.sleep(0.5)
        assert not posts(fake, HELP_CHANNEL_ID)


async def test_message_content_refused_by_the_portal_is_a_clear_error(helpbot, monkeypatch):
    fake = await FakeDiscord(message_content_allowed=False).start()
    fake.patch(monkeypatch)
    monkeypatch.setenv("DISCORD_BOT_TOKEN", TOKEN)
    adapter = Discord(discord_settings(**FORUM), guild=GUILD_ID, guild_ready_timeout=0.01)
    try:
        with pytest.raises(HelpbotError, match=r"\[discord\] forum_channels.*Message Content Intent"):
            await asyncio.wait_for(serve(adapter, lambda: helpbot, lambda _: None, asyncio.Event(), ops=False), 30)
    finally:
        await fake.close()
