""""Ask a person" and "Save as FAQ" on Discord, through the real discord.py client and the loopback
fake Discord: the handoff post, the people's answer in its thread, the admin's modal, and the whole
loop back to an answer from the new entry. The bot here serves a copy of the small test knowledge
of the Slack tests (Pebble Notes), so saves land in a temporary folder."""

from __future__ import annotations

import asyncio
import logging
import re
import shutil
from pathlib import Path

import pytest
import yaml
from discord_support import make_helpbot
from fake_discord import (ADMIN, ADMIN_ROLE_ID, ALICE, BOT_ID, BOT_USER, CHANNEL_ID, GUILD_ID, HANDOFF_CHANNEL_ID,
                          LOCKED_CHANNEL_ID, ROLE_ADMIN, user)

from bot import strings
from bot.ops.stats import compute_stats

EPHEMERAL = 64
TEST_KNOWLEDGE = Path(__file__).resolve().parents[1] / "slack" / "knowledge"
UNKNOWN = "Can I pay for Pebble with a gift card?"  # in scope, not in the knowledge
UNKNOWN_ID = "can-i-pay-for-pebble-with-a-gift-card"
KNOWN = "How do I reset my Pebble password?"
HELPER = user(1200000000000000009, "helper")  # a person on the team, not an admin
HUMAN_ANSWER = "No, gift cards are not accepted; pay by card or invoice from Settings → Billing."
HANDOFF = {"discord_channel": str(HANDOFF_CHANNEL_ID)}


@pytest.fixture(scope="module")
def learning_bot(tmp_path_factory):
    """A HelpBot on its own copy of the test knowledge (saves write faq/learned.yaml there)."""
    folder = tmp_path_factory.mktemp("knowledge") / "knowledge"
    shutil.copytree(TEST_KNOWLEDGE, folder)
    return make_helpbot(tmp_path_factory.mktemp("learning-home"), folder)


@pytest.fixture(autouse=True)
async def fresh_learning_bot(learning_bot):
    """Each test starts from the test knowledge alone: what a test saved is removed and reloaded."""
    from bot.ops.reload import reload_knowledge

    learning_bot.guard.state.reset()
    yield
    learned = Path(learning_bot.knowledge_dir) / "faq" / "learned.yaml"
    if learned.exists():
        learned.unlink()
        assert (await reload_knowledge(learning_bot, "test", wait=True)).ok


def custom_ids(body: dict) -> list[str]:
    return [c["custom_id"] for row in body.get("components", []) for c in row["components"] if "custom_id" in c]


def handoff_rows(bot) -> list[dict]:
    return list(bot.audit.db["handoffs"].rows_where(order_by="id"))


async def until(check, timeout: float = 20.0):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (value := check()):
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.02)
    return value


async def ask_unknown(fake, bot, text: str) -> tuple[dict, dict]:
    """Ask a question the knowledge does not answer (as a new person: no follow-up context from
    earlier tests); check that it was not answered."""
    asked, reply = await ask_by_mention(fake, text, author=user(fake.snowflake(), "asker"))
    (row,) = bot.audit.db["audit"].rows_where("text_redacted = ?", [text], order_by="id desc", limit=1)
    assert row["route"] == "unknown", (text, row["route"], row["reasons"])
    return asked, reply


async def ask_by_mention(fake, text: str, author=ALICE) -> tuple[dict, dict]:
    """Mention the bot in #general; (the question message, the bot's reply as Discord stored it)."""
    asked = await fake.post(f"<@{BOT_ID}> {text}", author=author, channel_id=CHANNEL_ID, mentions=[BOT_USER])
    sent = await fake.wait_for(lambda r: r.method == "POST" and r.path == f"/channels/{CHANNEL_ID}/messages"
                               and (r.json.get("message_reference") or {}).get("message_id") == int(asked["id"]))
    stored = next(m for m in fake.messages.values()
                  if m.get("message_reference", {}).get("message_id") == asked["id"] and m["author"]["id"] == str(BOT_ID))
    assert sent.json  # the request the stored message came from
    return asked, stored


async def click(fake, message: dict, custom_id: str, author=ALICE, roles=None) -> dict:
    interaction = fake.click(message, custom_id, author=author, roles=roles)
    await fake.dispatch("INTERACTION_CREATE", interaction)
    return interaction


def handoff_post(fake) -> dict:
    return next(m for m in fake.messages.values() if m["channel_id"] == str(HANDOFF_CHANNEL_ID))


async def test_the_whole_loop_unknown_ask_a_person_answer_save_answered(learning_bot, start_bot):
    async with start_bot(learning_bot, handoff=HANDOFF) as (fake, client):
        # 1. the bot does not know: the reply offers "Ask a person"
        asked, reply = await ask_by_mention(fake, UNKNOWN)
        (audit_row,) = learning_bot.audit.db["audit"].rows_where("text_redacted = ?", [UNKNOWN])
        assert audit_row["route"] == "unknown"
        assert f"hb:ask:{audit_row['id']}" in custom_ids(reply)

        # 2. the asker clicks it: a post in the support channel, a thread on it, and a private note
        clicked = await click(fake, reply, f"hb:ask:{audit_row['id']}")
        assert (await fake.callback_for(clicked)).json == {"type": 5, "data": {"flags": EPHEMERAL}}
        told = (await fake.followup_for(clicked)).json
        assert told["flags"] & EPHEMERAL and told["content"] == strings.HANDOFF_SENT.format(channel=f"<#{HANDOFF_CHANNEL_ID}>")
        post = handoff_post(fake)
        assert UNKNOWN in post["content"]
        assert f"https://discord.com/channels/{GUILD_ID}/{CHANNEL_ID}/{asked['id']}" in post["content"]
        assert strings.HANDOFF_POST_REPLY.split("{")[0] in post["content"]  # the bot's reply is quoted
        (save_button,) = custom_ids(post)
        thread_id = int(post["id"])  # the thread started on the post has its id
        assert fake.find("POST", rf"/channels/{HANDOFF_CHANNEL_ID}/messages/{post['id']}/threads")
        assert fake.find("POST", rf"/channels/{HANDOFF_CHANNEL_ID}/messages")[0].json["allowed_mentions"] == {"parse": []}

        # 3. a person answers in the thread: the handoff counts as answered
        await until(lambda: client.get_channel(thread_id))
        await fake.post(HUMAN_ANSWER, author=HELPER, channel_id=thread_id)
        await until(lambda: handoff_rows(learning_bot)[-1]["state"] == "answered")

        # 4. only admins may save; the admin's form is prefilled
        refused = await click(fake, post, save_button, author=HELPER)
        body = (await fake.callback_for(refused)).json
        assert (body["type"], body["data"]["content"], body["data"]["flags"]) == (4, strings.SAVE_FAQ_ADMINS_ONLY, EPHEMERAL)
        opened = await click(fake, post, save_button, author=ROLE_ADMIN, roles=[ADMIN_ROLE_ID])
        await fake.callback_for(opened)
        modal = fake.modal_for(opened)
        values = {c["custom_id"]: c.get("value", "") for row in modal["components"] for c in row["components"]}
        assert values["questions"] == UNKNOWN and values["answer"] == HUMAN_ANSWER
        assert values["id"] == UNKNOWN_ID and values["url"] == ""

        # 5. the admin saves: the entry is written, the knowledge reloaded, the thread told
        submit = fake.submit(modal, {"questions": f"{UNKNOWN}\nDo you take gift cards?"}, author=ROLE_ADMIN,
                             roles=[ADMIN_ROLE_ID], channel_id=HANDOFF_CHANNEL_ID)
        await fake.dispatch("INTERACTION_CREATE", submit)
        said = await fake.wait_request("POST", rf"/channels/{thread_id}/messages", after=0)
        assert UNKNOWN_ID in said.json["content"]
        assert (await fake.followup_for(submit)).json["flags"] & EPHEMERAL

        # 6. the same question is now answered from the new entry
        learning_bot.guard.state.reset()
        _, again = await ask_by_mention(fake, UNKNOWN)
    (embed,) = again["embeds"]
    assert HUMAN_ANSWER in embed["description"]
    row = learning_bot.audit.db["audit"].get(int(re.search(r"ref (\d+)$", embed["footer"]["text"]).group(1)))
    assert (row["route"], row["source"]) == ("answer", UNKNOWN_ID)
    learned = Path(learning_bot.knowledge_dir) / "faq" / "learned.yaml"
    text = learned.read_text()
    assert f"# saved by discord:{ROLE_ADMIN['id']}" in text
    (entry,) = [e for e in yaml.safe_load(text) if e["id"] == UNKNOWN_ID]
    assert entry["questions"] == [UNKNOWN, "Do you take gift cards?"] and entry["answer"] == HUMAN_ANSWER
    last = handoff_rows(learning_bot)[-1]
    assert (last["state"], last["faq_id"]) == ("saved", UNKNOWN_ID)
    loop = compute_stats(learning_bot.audit.db, days=1)["handoffs"]  # `helpbot stats` and the report
    assert loop["total"] >= 1 and loop["answered"] >= 1 and loop["saved"] >= 1


async def test_without_a_handoff_channel_there_is_no_button(learning_bot, start_bot):
    async with start_bot(learning_bot) as (fake, client):
        _, reply = await ask_unknown(fake, learning_bot, UNKNOWN)
    assert custom_ids(reply) and not any(c.startswith("hb:ask:") for c in custom_ids(reply))


async def test_answers_offer_no_handoff_but_not_helpful_does(learning_bot, start_bot):
    async with start_bot(learning_bot, handoff=HANDOFF) as (fake, client):
        asked, reply = await ask_by_mention(fake, KNOWN)
        buttons = custom_ids(reply)
        assert not any(c.startswith("hb:ask:") for c in buttons)
        not_helpful = next(c for c in buttons if c.startswith("hb:fb:not_helpful:"))
        clicked = await click(fake, reply, not_helpful)
        thanks = (await fake.callback_for(clicked)).json["data"]
        audit_id = not_helpful.rsplit(":", 1)[1]
        assert thanks["flags"] == EPHEMERAL and custom_ids(thanks) == [f"hb:ask:{audit_id}:{reply['id']}"]
        ask = await click(fake, fake.messages[max(fake.messages)], f"hb:ask:{audit_id}:{reply['id']}")
        await fake.followup_for(ask)
        post = handoff_post(fake)
    # the answer the person found unhelpful is quoted, and the link goes to their question
    assert "Forgot password?" in post["content"]
    assert f"https://discord.com/channels/{GUILD_ID}/{CHANNEL_ID}/{asked['id']}" in post["content"]


async def test_a_second_click_does_not_post_twice(learning_bot, start_bot):
    async with start_bot(learning_bot, handoff=HANDOFF) as (fake, client):
        _, reply = await ask_unknown(fake, learning_bot, "Can Pebble notes have tags?")
        button = next(c for c in custom_ids(reply) if c.startswith("hb:ask:"))
        first = await click(fake, reply, button)
        await fake.followup_for(first)
        second = await click(fake, reply, button, author=HELPER)
        told = (await fake.followup_for(second)).json
    assert told["content"] == strings.HANDOFF_ALREADY and told["flags"] & EPHEMERAL
    assert len(fake.find("POST", rf"/channels/{HANDOFF_CHANNEL_ID}/messages")) == 1


async def test_secrets_in_the_question_never_reach_the_support_channel(learning_bot, start_bot):
    secret = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
    question = f"Is there a dark mode in Pebble? my token is {secret}"
    async with start_bot(learning_bot, handoff=HANDOFF) as (fake, client):
        _, reply = await ask_by_mention(fake, question)
        button = next(c for c in custom_ids(reply) if c.startswith("hb:ask:"))
        clicked = await click(fake, reply, button)
        await fake.followup_for(clicked)
        post = handoff_post(fake)
        opened = await click(fake, post, custom_ids(post)[0], author=ADMIN)
        await fake.callback_for(opened)
        modal = fake.modal_for(opened)
    assert secret not in post["content"] and "dark mode" in post["content"]
    assert secret not in str(modal)
    assert all(secret not in str(r) for r in handoff_rows(learning_bot))


async def test_a_handoff_channel_the_bot_cannot_post_in_is_a_clear_error(learning_bot, start_bot, caplog):
    caplog.set_level(logging.INFO)
    async with start_bot(learning_bot, handoff={"discord_channel": str(LOCKED_CHANNEL_ID)}) as (fake, client):
        asked, reply = await ask_unknown(fake, learning_bot, "Can I pay for Pebble with a cheque?")
        button = next(c for c in custom_ids(reply) if c.startswith("hb:ask:"))
        clicked = await click(fake, reply, button)
        told = (await fake.followup_for(clicked)).json
        by_admin = await click(fake, reply, button, author=ADMIN)  # a failed handoff may be tried again
        admin_told = (await fake.followup_for(by_admin)).json
    # the asker got the bot's reply before, and now a private note with the contact line
    assert (reply["content"] or reply["embeds"]) and told["flags"] & EPHEMERAL
    assert told["content"].startswith(strings.HANDOFF_FAILED.split("{")[0].strip())
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any(str(LOCKED_CHANNEL_ID) in e and "send_messages" in e for e in errors)  # at start-up
    assert any(str(LOCKED_CHANNEL_ID) in e and "Send Messages" in e for e in errors)  # on the click
    assert handoff_rows(learning_bot)[-1]["state"] == "failed"
    assert "Admin:" not in told["content"]  # the asker is no admin: the contact line only
    assert str(LOCKED_CHANNEL_ID) in admin_told["content"] and "Send Messages" in admin_told["content"]


async def test_refused_entries_are_explained_to_the_admin_and_nothing_is_written(learning_bot, start_bot):
    learned = Path(learning_bot.knowledge_dir) / "faq" / "learned.yaml"
    before = learned.read_text() if learned.exists() else None
    async with start_bot(learning_bot, handoff=HANDOFF) as (fake, client):
        target = await fake.post("Use the Invite button under Settings → Members.", author=HELPER, channel_id=CHANNEL_ID)
        menu = fake.message_command(strings.SAVE_FAQ_BUTTON, target, author=ADMIN)
        await fake.dispatch("INTERACTION_CREATE", menu)
        await fake.callback_for(menu)
        modal = fake.modal_for(menu)
        submit = fake.submit(modal, {"questions": "How do I add a teammate?", "id": "invite-member", "answer": ""},
                             author=ADMIN)
        await fake.dispatch("INTERACTION_CREATE", submit)
        told = (await fake.followup_for(submit)).json
        retry = custom_ids(told)
        assert told["flags"] & EPHEMERAL and len(retry) == 1
        again = await click(fake, fake.messages[max(fake.messages)], retry[0], author=ADMIN)
        await fake.callback_for(again)
        reopened = fake.modal_for(again)
    assert told["content"].startswith(strings.SAVE_FAQ_REFUSED)
    assert "invite-member" in told["content"] and strings.SAVE_FAQ_EMPTY_ANSWER in told["content"]
    values = {c["custom_id"]: c.get("value", "") for row in reopened["components"] for c in row["components"]}
    assert values["questions"] == "How do I add a teammate?" and values["id"] == "invite-member"
    assert (learned.read_text() if learned.exists() else None) == before


async def test_the_message_command_saves_any_message_for_admins_only(learning_bot, start_bot):
    async with start_bot(learning_bot, handoff=HANDOFF) as (fake, client):
        question = await fake.post("Is there a dark mode on the Pebble desktop app? Mail me at ann@example.com",
                                   author=ALICE, channel_id=CHANNEL_ID)
        answer = await fake.post("Yes: Settings → Appearance → Dark.", author=HELPER, channel_id=CHANNEL_ID,
                                 reference=question)
        denied = fake.message_command(strings.SAVE_FAQ_BUTTON, answer, author=ALICE)
        await fake.dispatch("INTERACTION_CREATE", denied)
        assert (await fake.callback_for(denied)).json["data"]["content"] == strings.SAVE_FAQ_ADMINS_ONLY
        menu = fake.message_command(strings.SAVE_FAQ_BUTTON, answer, author=ADMIN)
        await fake.dispatch("INTERACTION_CREATE", menu)
        await fake.callback_for(menu)
        modal = fake.modal_for(menu)
        values = {c["custom_id"]: c.get("value", "") for row in modal["components"] for c in row["components"]}
        assert values["questions"].startswith("Is there a dark mode on the Pebble desktop app? Mail me at ")
        assert "ann@example.com" not in values["questions"]  # redacted as in the audit log
        assert values["answer"] == answer["content"]
        forged = fake.submit(modal, {}, author=ALICE)  # a non-admin cannot save, even with the form's data
        await fake.dispatch("INTERACTION_CREATE", forged)
        assert (await fake.callback_for(forged)).json["data"]["content"] == strings.SAVE_FAQ_ADMINS_ONLY
        first = fake.submit(modal, {"id": "dark-mode-desktop"}, author=ADMIN)
        second = fake.submit(modal, {"id": "dark-mode-desktop-2", "questions": "Dark theme?"}, author=ADMIN)
        await asyncio.gather(fake.dispatch("INTERACTION_CREATE", first), fake.dispatch("INTERACTION_CREATE", second))
        await fake.followup_for(first)
        await fake.followup_for(second)
    entries = {e["id"] for e in yaml.safe_load((Path(learning_bot.knowledge_dir) / "faq" / "learned.yaml").read_text())}
    assert {"dark-mode-desktop", "dark-mode-desktop-2"} <= entries  # two saves at once both land


async def test_a_forum_as_handoff_channel_gets_a_post_and_the_command_finds_its_question(learning_bot, start_bot):
    from fake_discord import FORUM_ID

    question = "Can Pebble notes have tags?"
    async with start_bot(learning_bot, handoff={"discord_channel": str(FORUM_ID)}) as (fake, client):
        _, reply = await ask_unknown(fake, learning_bot, question)
        clicked = await click(fake, reply, next(c for c in custom_ids(reply) if c.startswith("hb:ask:")))
        await fake.followup_for(clicked)
        created = fake.find("POST", rf"/channels/{FORUM_ID}/threads")[0]
        post_id = int(handoff_rows(learning_bot)[-1]["post_ref"])
        await until(lambda: client.get_channel(post_id))
        answer = await fake.post("Not yet; use #words in the title to group notes.", author=HELPER, channel_id=post_id)
        await until(lambda: handoff_rows(learning_bot)[-1]["state"] == "answered")
        menu = fake.message_command(strings.SAVE_FAQ_BUTTON, answer, author=ADMIN)
        await fake.dispatch("INTERACTION_CREATE", menu)
        await fake.callback_for(menu)
        modal = fake.modal_for(menu)
    assert created.json["name"] == question and question in created.json["message"]["content"]
    assert custom_ids(created.json["message"]) == [f"hb:faq:{handoff_rows(learning_bot)[-1]['id']}"]
    values = {c["custom_id"]: c.get("value", "") for row in modal["components"] for c in row["components"]}
    assert values["questions"] == question and values["answer"] == answer["content"]
    assert modal["custom_id"] == f"hb:faqform:{handoff_rows(learning_bot)[-1]['id']}"


def test_a_long_reply_is_shortened_so_the_post_keeps_the_question_and_the_link(learning_bot):
    from adapters.discord.handoff import post_text
    from bot.handoff import Handoff, HandoffDesk

    handoff = Handoff(None, "discord", question="Can Pebble notes have tags?", bot_reply="word " * 800,
                      message_ref="https://discord.com/channels/1/2/3")
    text = post_text(HandoffDesk(learning_bot), handoff, "<@1>")
    assert len(text) <= 2000 and "Can Pebble notes have tags?" in text and text.count("https://discord.com/channels/1/2/3") == 1
    assert strings.HANDOFF_POST_HOWTO in text


async def test_the_message_command_in_a_forum_post_finds_the_question_the_bot_could_not_answer(learning_bot, start_bot):
    from fake_discord import FORUM_ID

    async with start_bot(learning_bot, forum_channels=[str(FORUM_ID)]) as (fake, client):
        thread, _ = await fake.forum_post("Tags?", "Can Pebble notes have tags?", author=ALICE)
        row = await until(lambda: next(learning_bot.audit.db["audit"].rows_where(
            "conversation = ?", [f"discord:{thread['id']}:{ALICE['id']}"]), None))
        assert row["route"] == "unknown"  # nothing useful: the bot stayed quiet in the post
        answer = await fake.post("Not yet, but #words in titles work as tags.", author=HELPER, channel_id=int(thread["id"]))
        menu = fake.message_command(strings.SAVE_FAQ_BUTTON, answer, author=ADMIN)
        await fake.dispatch("INTERACTION_CREATE", menu)
        await fake.callback_for(menu)
        modal = fake.modal_for(menu)
        assert not fake.find("POST", rf"/channels/{thread['id']}/messages")
    values = {c["custom_id"]: c.get("value", "") for row in modal["components"] for c in row["components"]}
    assert values["questions"] == "Tags?\nCan Pebble notes have tags?" and values["answer"] == answer["content"]
    assert modal["custom_id"] == "hb:faqform:0"  # no handoff record behind it
