"""Lost answers: retries of events never answered are answered, duplicates are not; posting waits out
rate limits within a bound, and an answer that still cannot be posted is visible to admins."""

from __future__ import annotations

import asyncio
import json
import logging
import time

import pytest
from slack_helpers import serving, settings_for, strings_in
from slack_sdk.errors import SlackApiError

from adapters.slack.connect import close_client, make_client
from bot import strings
from bot.ops.stats import compute_stats, format_stats

pytestmark = pytest.mark.asyncio(loop_scope="session")

QUESTION = "How do I reset my Pebble password?"
RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


def mention(harness, user="UALICE", channel="C1") -> dict:
    return {"type": "app_mention", "user": user, "text": f"<@UHELPBOT> {QUESTION}", "ts": harness.next_ts(), "channel": channel}


async def test_retry_of_an_event_never_seen_is_answered(harness):
    """The first delivery never arrived (or reached a process that died): the retry is the only chance."""
    assert await harness.event(mention(harness), event_id="EvLOST", headers=RETRY) == 200
    [post] = await harness.fake.wait_calls("chat.postMessage")
    assert "Forgot password?" in "\n".join(strings_in(post.args))


async def test_retry_of_an_event_whose_answer_failed_is_answered(harness, helpbot, monkeypatch):
    real, calls = helpbot.handle, []

    async def fail_first(message, progress=None):
        calls.append(message)
        if len(calls) == 1:
            raise RuntimeError("boom")
        return await real(message, progress)

    monkeypatch.setattr(helpbot, "handle", fail_first)
    event = mention(harness)
    assert await harness.event(event, event_id="EvFAILS") == 200
    await harness.fake.wait_calls("chat.postEphemeral")  # the asker was told
    await harness.fake.wait_for(lambda: harness.adapter.seen_events.get("EvFAILS") == "failed")
    assert await harness.event(event, event_id="EvFAILS", headers=RETRY) == 200
    [post] = await harness.fake.wait_calls("chat.postMessage")
    assert "Forgot password?" in "\n".join(strings_in(post.args))
    assert await harness.event(event, event_id="EvFAILS", headers={"X-Slack-Retry-Num": "2"}) == 200  # now handled: dropped
    await asyncio.sleep(0.3)
    assert len(harness.fake.calls_to("chat.postMessage")) == 1 and len(calls) == 2


async def test_retry_of_an_event_in_flight_is_dropped(harness, helpbot, monkeypatch):
    real, gate, calls = helpbot.handle, asyncio.Event(), []

    async def slow(message, progress=None):
        calls.append(message)
        await gate.wait()
        return await real(message, progress)

    monkeypatch.setattr(helpbot, "handle", slow)
    event = mention(harness)
    assert await harness.event(event, event_id="EvSLOW") == 200
    await harness.fake.wait_for(lambda: calls)
    assert await harness.event(event, event_id="EvSLOW", headers=RETRY) == 200
    assert await harness.event(event, event_id="EvSLOW") == 200
    gate.set()
    await harness.fake.wait_calls("chat.postMessage")
    await asyncio.sleep(0.3)
    assert len(calls) == 1 and len(harness.fake.calls_to("chat.postMessage")) == 1


async def test_ignore_retries_drops_even_unseen_retries(fake, helpbot, settings):
    local = settings_for(settings, fake)
    local.slack["ignore_retries"] = True
    async with serving(fake, helpbot, local) as harness:
        assert await harness.event(mention(harness), event_id="EvIGNORED", headers=RETRY) == 200
        await harness.event({"type": "message", "channel": "D7", "user": "UALICE", "text": QUESTION, "ts": harness.next_ts(), "channel_type": "im"})
        await harness.fake.wait_calls("chat.postMessage")
        await asyncio.sleep(0.2)
        assert [c.args["channel"] for c in fake.calls_to("chat.postMessage")] == ["D7"]


async def test_ratelimited_in_the_body_is_retried_like_429(harness):
    harness.fake.queue_response("chat.postMessage", 200, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"})
    before = harness.adapter.bot.metrics.rate_limited.value(platform="slack")
    await harness.mention(QUESTION)
    first, second = await harness.fake.wait_calls("chat.postMessage", 2)
    assert second.at - first.at >= 1.0
    assert second.args["blocks"] == first.args["blocks"]
    assert harness.adapter.bot.metrics.rate_limited.value(platform="slack") == before + 1
    assert not harness.fake.calls_to("chat.postEphemeral")


async def test_rate_limit_waits_are_bounded_in_total(fake):
    """Retry-After 1 s three times, with 2.5 s allowed in all: two waits, then the call fails."""
    client = make_client("xoxb-test", fake.api_url, max_rate_limit_wait_s=2.5)
    for _ in range(3):
        fake.queue_response("chat.postMessage", 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"})
    started = time.monotonic()
    try:
        with pytest.raises(SlackApiError) as failed:
            await client.chat_postMessage(channel="C1", text="hi")
    finally:
        await close_client(client)
    assert failed.value.response["error"] == "ratelimited"
    assert len(fake.calls_to("chat.postMessage")) == 3
    assert 2.0 <= time.monotonic() - started < 3.0
    # A Retry-After beyond the whole budget fails at once, without waiting.
    client = make_client("xoxb-test", fake.api_url)
    fake.queue_response("chat.update", 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "3600"})
    started = time.monotonic()
    try:
        with pytest.raises(SlackApiError):
            await client.chat_update(channel="C1", ts="1.2", text="hi")
    finally:
        await close_client(client)
    assert time.monotonic() - started < 1.0


async def test_an_answer_that_cannot_be_posted_is_counted_logged_and_in_stats(harness, helpbot, caplog):
    caplog.set_level(logging.INFO)
    harness.fake.queue_response("chat.postMessage", 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "600"})
    before = helpbot.metrics.delivery_failures.value(platform="slack", reason="ratelimited")
    undelivered = compute_stats(helpbot.audit.db, days=1)["undelivered"]
    await harness.mention(QUESTION, user="UCAROL")
    [eph] = await harness.fake.wait_calls("chat.postEphemeral")
    assert eph.args["user"] == "UCAROL" and strings.ERROR in "\n".join(strings_in(eph.args))
    assert helpbot.metrics.delivery_failures.value(platform="slack", reason="ratelimited") == before + 1
    assert 'helpbot_delivery_failures_total{platform="slack",reason="ratelimited"}' in helpbot.metrics.render()
    row = next(helpbot.audit.db.query("select reasons from audit order by id desc limit 1"))
    assert "delivery.failed" in json.loads(row["reasons"])
    stats = compute_stats(helpbot.audit.db, days=1)
    assert stats["undelivered"] == undelivered + 1
    assert f"Undelivered answers: {stats['undelivered']}" in format_stats(stats)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "could not post the answer" in r.getMessage()]
    assert len(warnings) == 1 and "ratelimited" in warnings[0].getMessage()
    for record in caplog.records:
        assert "Pebble password" not in record.getMessage() and "Forgot password" not in record.getMessage()


async def test_command_answer_waits_out_a_rate_limited_response_url(harness, helpbot):
    """`/helpbot ask` answers through the response_url: a 429 there is waited out like on the Web API."""
    harness.fake.queue_response("response_url", 429, "ratelimited", {"Retry-After": "1"})
    before = helpbot.metrics.rate_limited.value(platform="slack")
    failed_before = helpbot.metrics.delivery_failures.value(platform="slack", reason="ratelimited")
    assert await harness.command(f"ask {QUESTION}", user="UDAN") == 200
    first, second = await harness.fake.wait_calls("response_url", 2)
    assert second.at - first.at >= 1.0
    assert second.args == first.args and "Forgot password?" in "\n".join(strings_in(second.args))
    assert helpbot.metrics.rate_limited.value(platform="slack") == before + 1
    await asyncio.sleep(0.2)
    assert helpbot.metrics.delivery_failures.value(platform="slack", reason="ratelimited") == failed_before
    assert not harness.fake.calls_to("chat.postEphemeral")


async def test_command_answer_that_cannot_be_posted_is_counted_and_audited(harness, helpbot):
    """A Retry-After beyond the bounded wait: the answer is lost, and shows as the mention path's does."""
    harness.fake.queue_response("response_url", 429, "ratelimited", {"Retry-After": "600"})
    before = helpbot.metrics.delivery_failures.value(platform="slack", reason="ratelimited")
    started = time.monotonic()
    assert await harness.command(f"ask {QUESTION}", user="UERIN", channel="C5") == 200
    [eph] = await harness.fake.wait_calls("chat.postEphemeral")
    assert time.monotonic() - started < 5.0, "a Retry-After past the budget fails at once"
    assert (eph.args["user"], eph.args["channel"]) == ("UERIN", "C5") and strings.ERROR in "\n".join(strings_in(eph.args))
    assert len(harness.fake.calls_to("response_url")) == 1
    assert helpbot.metrics.delivery_failures.value(platform="slack", reason="ratelimited") == before + 1
    row = next(helpbot.audit.db.query("select route, reasons from audit order by id desc limit 1"))
    assert row["route"] == "answer" and json.loads(row["reasons"])[-1] == "delivery.failed"
