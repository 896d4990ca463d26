"""Replicas sharing PostgreSQL on one shard: a message or slash command another replica already
claimed is left to it; the rest are answered. The real client, the loopback fake Discord, a real
PostgreSQL server; the "other replica" is a second store on the same database."""

from __future__ import annotations

import asyncio

import pytest
from fake_discord import ALICE, BOT_ID, BOT_USER, CHANNEL_ID

from bot.core.audit import AuditLog
from bot.core.store_pg import PgStore
from bot.guard.stage import redact_for_log

QUESTION = "How do I invite someone to my workspace?"


@pytest.fixture
def shared(helpbot, pg_url, monkeypatch):
    """The session bot with its audit log in PostgreSQL, and a second replica's store."""
    mine, other = PgStore(pg_url), PgStore(pg_url)
    monkeypatch.setattr(helpbot, "audit", AuditLog(mine, redact_for_log))
    yield other
    mine.close()
    other.close()


async def test_messages_and_interactions_claimed_by_another_replica_are_left_to_it(helpbot, start_bot, shared):
    async with start_bot(helpbot) as (fake, client):
        assert client.claims.shared
        taken = fake.message_create(f"<@{BOT_ID}> {QUESTION}", author=ALICE, mentions=[BOT_USER])
        assert shared.claim_event("discord", f"message:{taken['id']}")  # the other replica got it first
        await fake.dispatch("MESSAGE_CREATE", taken)
        taken_ask = fake.slash("ask", {"question": QUESTION}, author=ALICE)
        assert shared.claim_event("discord", f"interaction:{taken_ask['id']}")
        await fake.dispatch("INTERACTION_CREATE", taken_ask)
        mine = fake.message_create(f"<@{BOT_ID}> {QUESTION} please", author=ALICE, mentions=[BOT_USER])
        await fake.dispatch("MESSAGE_CREATE", mine)
        sent = await fake.wait_request("POST", rf"/channels/{CHANNEL_ID}/messages")
        await asyncio.sleep(0.5)  # an answer to the claimed ones would have come by now
        assert [r.json["message_reference"]["message_id"] for r in fake.find("POST", rf"/channels/{CHANNEL_ID}/messages")] \
            == [int(mine["id"])]
        assert not fake.find("POST", r"/interactions/.*")
    assert sent.json["message_reference"]["message_id"] == int(mine["id"])
    assert not shared.claim_event("discord", f"message:{mine['id']}")  # this replica claimed it
    assert shared.execute("select count(*) from audit where platform = 'discord'").fetchone()[0] == 1
