"""Events over HTTP: mentions and thread follow-ups, DMs, what is ignored, retries, failures."""

from __future__ import annotations

import re

import pytest
from slack_helpers import strings_in

from bot import strings

pytestmark = pytest.mark.asyncio(loop_scope="session")

QUESTION = "How do I reset my Pebble password?"


def block_types(call) -> list[str]:
    return [b["type"] for b in call.args["blocks"]]


def all_text(call) -> str:
    return "\n".join(strings_in(call.args))


async def test_mention_is_answered_in_its_thread_with_sources_and_buttons(harness):
    ts = await harness.mention(QUESTION)
    [post] = await harness.fake.wait_calls("chat.postMessage")
    assert post.args["channel"] == "C1" and post.args["thread_ts"] == ts
    assert post.token == "xoxb-test"
    assert block_types(post) == ["section", "context", "actions"]
    assert "Forgot password?" in post.args["blocks"][0]["text"]["text"]
    assert "<https://help.pebble.example/reset-password|" in post.args["blocks"][1]["elements"][0]["text"]
    buttons = [e["action_id"] for e in post.args["blocks"][2]["elements"]]
    assert buttons == ["helpbot_feedback_helpful", "helpbot_feedback_not_helpful"]
    # it showed it was working, and tidied up afterwards
    await harness.fake.wait_calls("reactions.remove")
    [added] = harness.fake.calls_to("reactions.add")
    assert (added.args["channel"], added.args["timestamp"], added.args["name"]) == ("C1", ts, "eyes")
    assert added.at < post.at


async def test_follow_up_in_an_answered_thread_is_answered_there(harness, helpbot):
    ts = await harness.mention(QUESTION)
    await harness.fake.wait_calls("chat.postMessage")
    follow_up = {"type": "message", "channel": "C1", "user": "UBOB", "text": "How do I export my notes?",
                 "ts": harness.next_ts(), "thread_ts": ts, "channel_type": "channel"}
    assert await harness.event(follow_up) == 200
    posts = await harness.fake.wait_calls("chat.postMessage", 2)
    assert posts[1].args["thread_ts"] == ts
    assert "File → Export" in posts[1].args["blocks"][0]["text"]["text"]
    rows = list(helpbot.audit.db.query("select conversation, platform from audit order by id desc limit 2"))
    assert {r["conversation"] for r in rows} == {f"slack:C1:{ts}"}
    assert {r["platform"] for r in rows} == {"slack"}


async def test_a_mention_inside_a_followed_thread_is_answered_once(harness):
    ts = await harness.mention(QUESTION)
    await harness.fake.wait_calls("chat.postMessage")
    reply_ts = harness.next_ts()
    text = "<@UHELPBOT> How do I export my notes?"
    # Slack sends both an app_mention and a message event for the same message
    await harness.event({"type": "message", "channel": "C1", "user": "UBOB", "text": text, "ts": reply_ts, "thread_ts": ts, "channel_type": "channel"})
    await harness.event({"type": "app_mention", "channel": "C1", "user": "UBOB", "text": text, "ts": reply_ts, "thread_ts": ts})
    await harness.event({"type": "message", "channel": "D9", "user": "UBOB", "text": "How do I export my notes?", "ts": harness.next_ts(), "channel_type": "im"})
    posts = await harness.fake.wait_calls("chat.postMessage", 3)
    assert [p.args["channel"] for p in posts].count("C1") == 2


async def test_direct_message_is_answered_in_the_dm(harness):
    await harness.event({"type": "message", "channel": "D1", "user": "UALICE", "text": QUESTION, "ts": harness.next_ts(), "channel_type": "im"})
    [post] = await harness.fake.wait_calls("chat.postMessage")
    assert post.args["channel"] == "D1" and "thread_ts" not in post.args
    assert "Forgot password?" in all_text(post)


async def test_ignored_bots_edits_and_unfollowed_threads(harness, helpbot):
    before = helpbot.audit.db["audit"].count
    ignored = [
        {"type": "message", "channel": "D1", "user": "UHELPBOT", "bot_id": "BHELPBOT", "text": QUESTION, "channel_type": "im"},
        {"type": "message", "channel": "D1", "subtype": "bot_message", "bot_id": "BOTHER", "text": QUESTION, "channel_type": "im"},
        {"type": "app_mention", "channel": "C1", "user": "UOTHERBOT", "bot_id": "BOTHER", "text": f"<@UHELPBOT> {QUESTION}"},
        {"type": "message", "channel": "D1", "subtype": "message_changed", "channel_type": "im",
         "message": {"user": "UALICE", "text": QUESTION}, "previous_message": {"user": "UALICE", "text": "x"}},
        {"type": "message", "channel": "C1", "user": "UALICE", "text": QUESTION, "thread_ts": "1600000000.000001", "channel_type": "channel"},
        {"type": "message", "channel": "C1", "user": "UALICE", "text": QUESTION, "channel_type": "channel"},
    ]
    for event in ignored:
        assert await harness.event({"ts": harness.next_ts(), **event}) == 200
    # a normal DM afterwards: once it is answered, the ignored events have long been dropped
    await harness.event({"type": "message", "channel": "D2", "user": "UALICE", "text": QUESTION, "ts": harness.next_ts(), "channel_type": "im"})
    await harness.fake.wait_calls("chat.postMessage")
    assert [c.args["channel"] for c in harness.fake.calls_to("chat.postMessage", "chat.postEphemeral")] == ["D2"]
    assert helpbot.audit.db["audit"].count == before + 1


async def test_retried_event_is_answered_once(harness):
    event = {"type": "app_mention", "user": "UALICE", "text": f"<@UHELPBOT> {QUESTION}", "ts": harness.next_ts(), "channel": "C1"}
    assert await harness.event(event, event_id="EvSAME") == 200
    await harness.fake.wait_calls("chat.postMessage")
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert await harness.event(event, event_id="EvSAME", headers=retry) == 200
    assert await harness.event(event, event_id="EvSAME") == 200  # a duplicate without the header, too
    await harness.event({"type": "message", "channel": "D3", "user": "UALICE", "text": QUESTION, "ts": harness.next_ts(), "channel_type": "im"})
    posts = await harness.fake.wait_calls("chat.postMessage", 2)
    assert [p.args["channel"] for p in harness.fake.calls_to("chat.postMessage")] == ["C1", "D3"]
    assert posts


async def test_refusal_is_ephemeral_in_channels_and_posted_in_dms(harness, helpbot):
    question = "What is the capital of France?"
    assert helpbot.answer_sync(_msg(question), audit=False).ephemeral, "precondition: the bot refuses this"
    ts = await harness.mention(question, user="UBOB")
    [eph] = await harness.fake.wait_calls("chat.postEphemeral")
    assert (eph.args["channel"], eph.args["user"], eph.args["thread_ts"]) == ("C1", "UBOB", ts)
    assert "actions" in block_types(eph)
    assert "helpbot_feedback_should_have_answered" in all_text(eph)
    await harness.event({"type": "message", "channel": "D4", "user": "UBOB", "text": question, "ts": harness.next_ts(), "channel_type": "im"})
    [post] = await harness.fake.wait_calls("chat.postMessage")
    assert post.args["channel"] == "D4"
    assert len(harness.fake.calls_to("chat.postEphemeral")) == 1


async def test_ephemeral_falls_back_to_the_thread_when_slack_refuses_it(harness):
    harness.fake.queue_response("chat.postEphemeral", 200, {"ok": False, "error": "user_not_in_channel"})
    ts = await harness.mention("What is the capital of France?")
    [post] = await harness.fake.wait_calls("chat.postMessage")
    assert post.args["thread_ts"] == ts


async def test_rate_limited_call_is_retried_after_retry_after(harness):
    harness.fake.queue_response("chat.postMessage", 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"})
    await harness.mention(QUESTION)
    first, second = await harness.fake.wait_calls("chat.postMessage", 2)
    assert second.at - first.at >= 1.0
    assert second.args["blocks"] == first.args["blocks"]


async def test_a_failing_event_tells_the_user_and_the_app_keeps_going(harness, helpbot, monkeypatch):
    real = helpbot.handle
    calls = []

    async def fail_once(message, progress=None):
        calls.append(message)
        if len(calls) == 1:
            raise RuntimeError("boom")
        return await real(message, progress)

    monkeypatch.setattr(helpbot, "handle", fail_once)
    await harness.mention(QUESTION, user="UBOB")
    [eph] = await harness.fake.wait_calls("chat.postEphemeral")
    assert strings.ERROR in all_text(eph) and eph.args["user"] == "UBOB"
    await harness.mention(QUESTION)
    [post] = await harness.fake.wait_calls("chat.postMessage")
    assert "Forgot password?" in all_text(post)


async def test_injection_in_question_and_knowledge_never_reaches_slack(harness):
    question = "How do I send an announcement to the whole team? <!channel> <!here> <!everyone> @everyone @here <@U999>"
    await harness.mention(question)
    await harness.event({"type": "message", "channel": "D5", "user": "UALICE", "text": question, "ts": harness.next_ts(), "channel_type": "im"})
    await harness.command(f"ask {question}")
    await harness.fake.wait_calls("chat.postMessage", 2)
    await harness.fake.wait_calls("response_url")
    sent = [s for c in harness.fake.calls for s in strings_in(c.args)]
    # The knowledge text is shown, made harmless (escaped by the adapter or neutralised by the output guard).
    assert any("&lt;!channel&gt;" in s or "＠channel" in s for s in sent), "the knowledge text is shown, defused"
    for s in sent:
        for bad in ("<!channel>", "<!here>", "<!everyone>", "<@U999>", "<!subteam", "<https://evil.example"):
            assert bad not in s
        assert not re.search(r"@(everyone|here|channel)", s, re.I), s


def _msg(text):
    from bot.messages import Message

    return Message(text, platform="slack", user_id="UTEST", channel_id="C1")


async def test_closest_sections_reply_reaches_slack_as_a_short_list_of_links(harness, helpbot, monkeypatch):
    from test_slack_format import closest_reply

    async def handle(message, progress=None):
        return closest_reply()

    monkeypatch.setattr(helpbot, "handle", handle)
    ts = await harness.mention("What about money?")
    [post] = await harness.fake.wait_calls("chat.postMessage")
    assert post.args["thread_ts"] == ts and block_types(post) == ["section", "actions"]
    shown = post.args["blocks"][0]["text"]["text"]
    assert shown.startswith(strings.CLOSEST_SECTIONS) and shown.count("• ") == 3
    assert "<https://help.example/billing|Billing: Invoices (PDF)>" in shown and "<@U1>" not in all_text(post)
    assert strings.SOURCES_LABEL not in all_text(post)
