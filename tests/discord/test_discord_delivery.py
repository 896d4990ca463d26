"""Rate limits and sends that finally fail: discord.py waits out 429s; an answer that still cannot be
sent is counted for admins (metric, audit reason, `helpbot stats`) and the asker is told."""

from __future__ import annotations

import json
import logging

from fake_discord import ALICE, APP_ID, BOT_ID, BOT_USER, CHANNEL_ID

from bot import strings
from bot.ops.stats import compute_stats

EPHEMERAL = 64
QUESTION = "How do I invite someone to my workspace?"


def last_reasons(helpbot) -> list[str]:
    row = next(helpbot.audit.db.query("select reasons from audit where platform = 'discord' order by id desc limit 1"))
    return json.loads(row["reasons"])


async def test_a_rate_limited_follow_up_is_retried_and_delivered(helpbot, start_bot):
    async with start_bot(helpbot) as (fake, client):
        fake.fail("POST", rf"/webhooks/{APP_ID}/.+", times=2, retry_after=0.05)
        ask = fake.slash("ask", {"question": QUESTION}, author=ALICE)
        before = helpbot.metrics.delivery_failures.value(platform="discord", reason="ratelimited")
        await fake.dispatch("INTERACTION_CREATE", ask)
        await fake.wait_for(lambda r: r.method == "POST" and "/webhooks/" in r.path and len(fake.find("POST", rf"/webhooks/{APP_ID}/.+")) >= 3)
        posts = fake.find("POST", rf"/webhooks/{APP_ID}/.+")
    assert len(posts) == 3 and posts[2].at - posts[0].at >= 0.1
    assert posts[2].json["embeds"] and "Invite members" in posts[2].json["embeds"][0]["description"]
    assert helpbot.metrics.delivery_failures.value(platform="discord", reason="ratelimited") == before


async def test_an_interaction_answer_that_cannot_be_sent_is_counted_and_the_asker_told(helpbot, start_bot, caplog):
    caplog.set_level(logging.INFO)
    undelivered = compute_stats(helpbot.audit.db, days=1)["undelivered"]
    before = helpbot.metrics.delivery_failures.value(platform="discord", reason="ratelimited")
    async with start_bot(helpbot) as (fake, client):
        fake.fail("POST", rf"/webhooks/{APP_ID}/.+", times=5, retry_after=0.01)  # discord.py gives up after 5 tries
        ask = fake.slash("ask", {"question": QUESTION}, author=ALICE)
        await fake.dispatch("INTERACTION_CREATE", ask)
        told = await fake.wait_for(lambda r: r.method == "POST" and "/webhooks/" in r.path
                                   and strings.ERROR in json.dumps(r.json))
    assert told.json["flags"] & EPHEMERAL
    assert helpbot.metrics.delivery_failures.value(platform="discord", reason="ratelimited") == before + 1
    assert "delivery.failed" in last_reasons(helpbot)
    assert compute_stats(helpbot.audit.db, days=1)["undelivered"] == undelivered + 1
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "could not post the answer" in r.getMessage()]
    assert len(warnings) == 1 and "ratelimited" in warnings[0]
    assert not any("invite someone" in r.getMessage() or "Invite members" in r.getMessage() for r in caplog.records)


async def test_a_mention_answer_refused_by_discord_is_counted_and_the_asker_told(helpbot, start_bot):
    before = helpbot.metrics.delivery_failures.value(platform="discord", reason="http_403")
    async with start_bot(helpbot) as (fake, client):
        fake.fail("POST", rf"/channels/{CHANNEL_ID}/messages", times=1, status=403)
        msg = fake.message_create(f"<@{BOT_ID}> {QUESTION}", author=ALICE, mentions=[BOT_USER])
        await fake.dispatch("MESSAGE_CREATE", msg)
        told = await fake.wait_for(lambda r: r.method == "POST" and r.path == f"/channels/{CHANNEL_ID}/messages"
                                   and strings.ERROR in json.dumps(r.json))
    assert told.json["message_reference"]["message_id"] == int(msg["id"])
    assert helpbot.metrics.delivery_failures.value(platform="discord", reason="http_403") == before + 1
    assert "delivery.failed" in last_reasons(helpbot)


async def test_a_rate_limit_longer_than_the_bound_fails_at_once(helpbot, start_bot):
    before = helpbot.metrics.delivery_failures.value(platform="discord", reason="ratelimited")
    async with start_bot(helpbot) as (fake, client):
        fake.fail("POST", rf"/channels/{CHANNEL_ID}/messages", times=1, retry_after=600)
        msg = fake.message_create(f"<@{BOT_ID}> {QUESTION}", author=ALICE, mentions=[BOT_USER])
        await fake.dispatch("MESSAGE_CREATE", msg)
        told = await fake.wait_for(lambda r: r.method == "POST" and r.path == f"/channels/{CHANNEL_ID}/messages"
                                   and strings.ERROR in json.dumps(r.json), timeout=10)
    assert told.at - fake.find("POST", rf"/channels/{CHANNEL_ID}/messages")[0].at < 5
    assert helpbot.metrics.delivery_failures.value(platform="discord", reason="ratelimited") == before + 1
