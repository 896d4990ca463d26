"""Mentions and DMs through the real discord.py client and the loopback fake Discord."""

from __future__ import annotations

import re

from bot import strings
from fake_discord import ALICE, BOT_ID, BOT_ROLE_ID, BOT_USER, CHANNEL_ID, DM_CHANNEL_ID, user

QUESTION = "How do I invite someone to my workspace?"
CHANNEL_MESSAGES = r"/channels/\d+/messages"


def ref_of(body: dict) -> int:
    return int(re.search(r"ref (\d+)$", body["embeds"][0]["footer"]["text"]).group(1))


async def test_mention_is_answered_in_a_reply_without_the_mention(helpbot, start_bot):
    async with start_bot(helpbot) as (fake, client):
        msg = fake.message_create(f"<@{BOT_ID}> {QUESTION}", author=ALICE, mentions=[BOT_USER])
        await fake.dispatch("MESSAGE_CREATE", msg)
        sent = await fake.wait_request("POST", rf"/channels/{CHANNEL_ID}/messages")
        assert fake.find("POST", rf"/channels/{CHANNEL_ID}/typing")
    body = sent.json
    assert body["message_reference"]["message_id"] == int(msg["id"])
    assert body["allowed_mentions"]["parse"] == [] and body["allowed_mentions"].get("replied_user") is False
    assert "Invite members" in body["embeds"][0]["description"]
    row = helpbot.audit.db["audit"].get(ref_of(body))
    assert row["text_redacted"] == QUESTION  # the mention was stripped
    assert (row["platform"], row["conversation"]) == ("discord", f"discord:{CHANNEL_ID}:{ALICE['id']}")


async def test_dm_is_answered_without_a_mention(helpbot, start_bot):
    async with start_bot(helpbot) as (fake, client):
        msg = fake.message_create(QUESTION, author=ALICE, dm=True)
        await fake.dispatch("MESSAGE_CREATE", msg)
        sent = await fake.wait_request("POST", rf"/channels/{DM_CHANNEL_ID}/messages")
    assert sent.json["message_reference"]["message_id"] == int(msg["id"])
    row = helpbot.audit.db["audit"].get(ref_of(sent.json))
    assert row["conversation"] == f"discord:{DM_CHANNEL_ID}:{ALICE['id']}"


async def test_only_messages_addressed_to_the_bot_are_answered(helpbot, start_bot):
    other_bot = {**user(1300000000000000001, "otherbot"), "bot": True}
    async with start_bot(helpbot) as (fake, client):
        ignored = [
            fake.message_create(QUESTION, author=ALICE),  # no mention
            fake.message_create(f"@everyone {QUESTION}", author=ALICE, everyone=True),  # @everyone only
            fake.message_create(f"<@{BOT_ID}> {QUESTION}", author=other_bot, mentions=[BOT_USER]),  # a bot
        ]
        for msg in ignored:
            await fake.dispatch("MESSAGE_CREATE", msg)
        # the bot's role mention counts as a mention of the bot
        last = fake.message_create(f"<@&{BOT_ROLE_ID}> {QUESTION}", author=ALICE, mention_roles=[BOT_ROLE_ID])
        await fake.dispatch("MESSAGE_CREATE", last)
        await fake.wait_request("POST", CHANNEL_MESSAGES)
    (sent,) = fake.find("POST", CHANNEL_MESSAGES)
    assert sent.json["message_reference"]["message_id"] == int(last["id"])
    assert helpbot.audit.db["audit"].get(ref_of(sent.json))["text_redacted"] == QUESTION


async def test_everyone_in_a_mention_pings_nobody(helpbot, start_bot):
    async with start_bot(helpbot) as (fake, client):
        text = f"<@{BOT_ID}> @everyone @here <@{ALICE['id']}> {QUESTION}"
        msg = fake.message_create(text, author=ALICE, mentions=[BOT_USER, ALICE], everyone=True)
        await fake.dispatch("MESSAGE_CREATE", msg)
        sent = await fake.wait_request("POST", CHANNEL_MESSAGES)
    assert sent.json["allowed_mentions"] == {"parse": [], "replied_user": False}


async def test_thread_mode_answers_in_a_new_thread(helpbot, start_bot):
    async with start_bot(helpbot, reply_in="thread") as (fake, client):
        msg = fake.message_create(f"<@{BOT_ID}> {QUESTION}", author=ALICE, mentions=[BOT_USER])
        await fake.dispatch("MESSAGE_CREATE", msg)
        created = await fake.wait_request("POST", rf"/channels/{CHANNEL_ID}/messages/{msg['id']}/threads")
        sent = await fake.wait_request("POST", CHANNEL_MESSAGES)
    assert created.json["name"] == QUESTION
    thread_id = sent.path.split("/")[2]
    assert thread_id != str(CHANNEL_ID) and "message_reference" not in sent.json
    assert sent.json["allowed_mentions"]["parse"] == []
    row = helpbot.audit.db["audit"].get(ref_of(sent.json))
    assert row["conversation"] == f"discord:{thread_id}:{ALICE['id']}"
    assert row["channel"] == thread_id


async def test_failure_while_answering_a_mention_is_reported_and_audited(helpbot, start_bot, monkeypatch):
    async def broken(message, progress=None):
        raise RuntimeError("boom")

    monkeypatch.setattr(helpbot, "handle", broken)
    async with start_bot(helpbot) as (fake, client):
        msg = fake.message_create(f"<@{BOT_ID}> a question that fails", author=ALICE, mentions=[BOT_USER])
        await fake.dispatch("MESSAGE_CREATE", msg)
        sent = await fake.wait_request("POST", CHANNEL_MESSAGES)

    assert sent.json["content"] == strings.ERROR
    rows = list(helpbot.audit.db["audit"].rows_where("text_redacted = ?", ["a question that fails"]))
    assert [r["reasons"] for r in rows] == ['["error.discord"]']


async def test_closest_sections_reach_discord_as_one_embed_of_links(helpbot, start_bot, monkeypatch):
    from test_discord_render import closest_reply

    async def handle(message, progress=None):
        return closest_reply()

    monkeypatch.setattr(helpbot, "handle", handle)
    async with start_bot(helpbot) as (fake, client):
        await fake.dispatch("MESSAGE_CREATE", fake.message_create(f"<@{BOT_ID}> what about money?", author=ALICE, mentions=[BOT_USER]))
        sent = await fake.wait_request("POST", rf"/channels/{CHANNEL_ID}/messages")
    (embed,) = sent.json["embeds"]
    assert embed["title"] == strings.CLOSEST_SECTIONS
    assert embed["description"].startswith("1. [Billing: Invoices (PDF)](https://help.example/billing)\n2. Plans")
    assert "content" not in sent.json or not sent.json["content"]
