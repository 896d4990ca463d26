"""Two replicas (two Bolt apps, each with its own in-memory caches) sharing one PostgreSQL store:
an event delivered to both, as Slack's retries are, is answered once; a retry of one that failed
on the first replica is answered by the second."""

from __future__ import annotations

import asyncio

import pytest
import pytest_asyncio
from slack_helpers import KNOWLEDGE, serving, settings_for

from bot.core.store import FAILED, HANDLED

pytestmark = pytest.mark.asyncio(loop_scope="session")

QUESTION = "How do I reset my Pebble password?"
RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


@pytest.fixture
def shared_bot(settings, embedder, pg_url):
    """The session's settings (its index is already built) with the audit log in PostgreSQL."""
    from bot.config import Settings
    from bot.core.pipeline import HelpBot

    data = {k: dict(v) for k, v in settings.data.items()}
    data["core"]["database_url"] = pg_url
    bot = HelpBot(Settings(data), knowledge_dir=KNOWLEDGE, embedder=embedder)
    yield bot
    bot.audit.store.close()


@pytest_asyncio.fixture
async def replicas(fake, shared_bot, settings):
    local = settings_for(settings, fake)
    async with serving(fake, shared_bot, local) as a, serving(fake, shared_bot, local) as b:
        yield a, b


def _event(harness, channel="C1"):
    return {"type": "app_mention", "user": f"U{channel}", "text": f"<@UHELPBOT> {QUESTION}", "ts": harness.next_ts(), "channel": channel}


async def _state(bot, event_id):
    row = await asyncio.to_thread(lambda: bot.audit.store.execute(
        "select state from events where platform = 'slack' and event_id = ?", [event_id]).fetchone())
    return row[0] if row else None


async def test_an_event_delivered_to_both_replicas_is_answered_once(replicas, shared_bot):
    a, b = replicas
    assert a.adapter.claims.shared and b.adapter.claims.shared
    events = [(_event(a, f"C{n}"), f"EvTWICE{n}") for n in range(5)]
    statuses = await asyncio.gather(*[h.event(e, event_id=i, headers=RETRY if h is b else None)
                                      for e, i in events for h in (a, b)])
    assert statuses == [200] * 10
    await a.fake.wait_calls("chat.postMessage", 5)
    await asyncio.sleep(0.5)  # a second answer would arrive by now
    posts = a.fake.calls_to("chat.postMessage")
    assert sorted(p.args["channel"] for p in posts) == [f"C{n}" for n in range(5)]
    for _, event_id in events:
        assert await _state(shared_bot, event_id) in (HANDLED, "in flight")
    rows = shared_bot.audit.store.execute("select count(*) from audit where platform = 'slack'").fetchone()[0]
    assert rows == 5


async def test_a_retry_of_an_event_that_failed_on_one_replica_is_answered_by_the_other(replicas, shared_bot, monkeypatch):
    a, b = replicas
    real = shared_bot.handle
    failing = {"on": True}

    async def fail_while_on(message, progress=None):
        if failing["on"]:
            raise RuntimeError("boom")
        return await real(message, progress)

    monkeypatch.setattr(shared_bot, "handle", fail_while_on)
    event = _event(a)
    assert await a.event(event, event_id="EvFAILS") == 200
    await a.fake.wait_calls("chat.postEphemeral")  # the error, told to the asker
    for _ in range(50):
        if await _state(shared_bot, "EvFAILS") == FAILED:
            break
        await asyncio.sleep(0.05)
    assert await _state(shared_bot, "EvFAILS") == FAILED
    failing["on"] = False
    assert await b.event(event, event_id="EvFAILS", headers=RETRY) == 200
    [post] = await a.fake.wait_calls("chat.postMessage")
    assert post.args["channel"] == "C1"


async def test_a_vote_clicked_again_on_the_other_replica_counts_once(replicas, shared_bot):
    import json

    a, b = replicas
    await a.event(_event(a, "CVOTE"), event_id="EvVOTE")
    [post] = await a.fake.wait_calls("chat.postMessage")
    actions = next(block for block in post.args["blocks"] if block["type"] == "actions")
    value = next(e for e in actions["elements"] if e["action_id"] == "helpbot_feedback_helpful")["value"]
    ref = json.loads(value)["ref"]
    assert await a.click("helpbot_feedback_helpful", value, user="UBOB") == 200
    assert await b.click("helpbot_feedback_helpful", value, user="UBOB") == 200
    await a.fake.wait_calls("response_url", 2)  # both thanked
    await asyncio.sleep(0.2)
    rows = shared_bot.audit.store.execute("select value from feedback where message_ref = ?", [str(ref)]).fetchall()
    assert rows == [("helpful",)]


@pytest.fixture
def other_bot(settings, embedder, pg_url):
    """A second replica: its own HelpBot (own memory and caches) on the same PostgreSQL database."""
    from bot.config import Settings
    from bot.core.pipeline import HelpBot

    data = {k: dict(v) for k, v in settings.data.items()}
    data["core"]["database_url"] = pg_url
    bot = HelpBot(Settings(data), knowledge_dir=KNOWLEDGE, embedder=embedder)
    yield bot
    bot.audit.store.close()


async def test_a_follow_up_in_a_thread_started_on_the_other_replica_is_answered(fake, shared_bot, other_bot, settings):
    from bot.ops.stats import compute_stats

    local = settings_for(settings, fake)
    async with serving(fake, shared_bot, local) as a, serving(fake, other_bot, local) as b:
        ts = await a.mention(QUESTION, channel="CTHREAD", event_id="EvTHREAD")
        [first] = await a.fake.wait_calls("chat.postMessage")
        assert first.args["thread_ts"] == ts
        conversation = f"slack:CTHREAD:{ts}"
        # replica B never saw the thread, yet knows the bot answered in it and what was asked there
        assert ("CTHREAD", ts) not in b.adapter.threads.local
        assert other_bot.memory.last(conversation).question.endswith(QUESTION)
        follow_up = {"type": "message", "channel": "CTHREAD", "user": "UBOB", "text": "How do I export my notes?",
                     "ts": b.next_ts(), "thread_ts": ts, "channel_type": "channel"}
        assert await b.event(follow_up, event_id="EvFOLLOWUP") == 200  # (each harness numbers its own event ids)
        posts = await a.fake.wait_calls("chat.postMessage", 2)
        assert posts[1].args["thread_ts"] == ts and "File → Export" in posts[1].args["blocks"][0]["text"]["text"]
        # one audit log: either replica's stats show both answers
        for bot in (shared_bot, other_bot):
            rows = bot.audit.store.execute("select platform from audit where conversation = ?", [conversation]).fetchall()
            assert rows == [("slack",), ("slack",)]
            stats = compute_stats(bot.audit.store, days=1)
            assert stats["total"] >= 2
        turns = shared_bot.audit.store.last_turns(conversation, 10)
        assert len(turns) == 2 and "export" in turns[0][0].lower()  # B's turn is there for A's next follow-up


async def test_events_a_dead_replica_acknowledged_are_answered_once_by_the_survivors(replicas, shared_bot, settings):
    import json

    from bot.core.store import ago_iso, open_store

    a, b = replicas
    dead = open_store(shared_bot.settings)  # a third replica: it acknowledged two events, then was killed
    try:
        events = {}
        for n in range(2):
            event = _event(a, f"CDEAD{n}")
            body = {"token": "t", "team_id": "T0HELP", "api_app_id": "A0HELP", "type": "event_callback",
                    "event_id": f"EvDEAD{n}", "event_time": 1, "event": {"event_ts": event["ts"], **event}}
            assert await asyncio.to_thread(dead.claim_event, "slack", f"EvDEAD{n}", json.dumps(body))
            events[f"EvDEAD{n}"] = body
        beat = "insert into replicas (id, seen) values (?, ?)"
        await asyncio.to_thread(dead.write_returning, beat, [dead.replica, ago_iso(60)])
        # a retry of one reaches a survivor (the dead replica's claim is stale: it is answered there)...
        assert await b.event(events["EvDEAD0"]["event"], event_id="EvDEAD0", headers=RETRY) == 200
        # ...and the survivors take over what the dead one had acknowledged: each event answered once
        tasks = [asyncio.create_task(h.adapter.take_over(interval=0.05)) for h in (a, b)]
        try:
            posts = await a.fake.wait_calls("chat.postMessage", 2)
            await asyncio.sleep(0.5)
        finally:
            for task in tasks:
                task.cancel()
        assert sorted(p.args["channel"] for p in a.fake.calls_to("chat.postMessage")) == ["CDEAD0", "CDEAD1"]
        assert len(posts) == 2
        for event_id in events:
            assert await _state(shared_bot, event_id) == HANDLED
    finally:
        dead.close()
