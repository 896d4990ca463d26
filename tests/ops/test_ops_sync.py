"""Reload everywhere: three replicas (each its own HelpBot, knowledge folder and index) on one
PostgreSQL database. A reload on one makes every replica serve the new knowledge; a replica that
cannot build it keeps serving the old one and says so in /readyz and in the reload result; channel
modes set on one replica reach the others' live guard."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from bot.ops.policy import set_channel_mode
from bot.ops.reload import reload_knowledge
from bot.ops.server import bound_port, start_ops_server
from bot.ops.sync import KnowledgeSync
from ops_helpers import ask_sync, edit_faq, make_bot

pytestmark = pytest.mark.asyncio(loop_scope="session")  # the replicas' sync tasks run in the fixture's loop
NEW_ANSWER = "Open Settings, then People, then press Add people (SYNCED-ANSWER)."


@pytest.fixture
async def replicas(tmp_path, embedder, warm_index, pg_url):
    bots = [make_bot(tmp_path / name, embedder, warm_index, HELPBOT_DATABASE_URL=pg_url) for name in "abc"]
    tasks = []
    for bot in bots:
        bot.sync = KnowledgeSync(bot, interval=0.1, wait_s=20)
        tasks.append(asyncio.create_task(bot.sync.run()))
    await _until(lambda: len(bots[0].sync.replicas()) == 3)
    yield bots
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for bot in bots:
        bot.audit.store.close()


async def _until(predicate, timeout: float = 30.0):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_a_reload_on_one_replica_reaches_every_replica_and_a_failing_one_keeps_the_old(replicas):
    a, b, c = replicas
    assert {bot.sync.stale for bot in replicas} == {False}
    # the same edit reaches every replica's folder (one deploy, or a shared volume); c's copy is broken
    edit_faq(a.knowledge_dir, "invite-member", answer=NEW_ANSWER)
    edit_faq(b.knowledge_dir, "invite-member", answer=NEW_ANSWER)
    (c.knowledge_dir / "faq" / "broken.yaml").write_text("- id: broken\n  answer: [unclosed\n", encoding="utf-8")
    dry = await reload_knowledge(a, who="admin", dry_run=True)
    assert dry.ok and dry.replicas == []  # a dry run stays on its replica

    result = await reload_knowledge(a, who="admin")

    assert result.ok, result.errors
    states = {r["replica"]: r["state"] for r in result.replicas}
    assert states == {a.sync.id: "serves", b.sync.id: "serves", c.sync.id: "failed"}
    summary = result.summary()
    assert f"replica {c.sync.id}: could not build it and keeps serving the old knowledge" in summary
    assert "broken.yaml" in summary
    assert "SYNCED-ANSWER" in ask_sync(a).answer and "SYNCED-ANSWER" in ask_sync(b).answer
    assert "SYNCED-ANSWER" not in ask_sync(c).answer  # the old knowledge, still served
    assert b.snapshot.kb.fingerprint == a.snapshot.kb.fingerprint != c.snapshot.kb.fingerprint
    assert not b.sync.stale and c.sync.stale
    assert c.metrics.knowledge_in_sync.value() == 0 and b.metrics.knowledge_in_sync.value() == 1
    history = a.audit.store.execute("select who, ok from reloads where dry_run = 0 order by id").fetchall()
    assert sorted(history) == sorted([("admin", 1), (f"sync:{a.sync.id}", 1), (f"sync:{a.sync.id}", 0)])

    runner = await start_ops_server(c, "127.0.0.1", 0)  # c keeps answering: ready, but says it is stale
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{bound_port(runner)}/readyz") as resp:
                body = await resp.json()
        assert resp.status == 200 and body["kb"] == c.snapshot.kb.fingerprint
        assert body["knowledge"]["stale"] is True and body["knowledge"]["announced"] == a.snapshot.kb.fingerprint
        assert "broken.yaml" in body["knowledge"]["reload_error"]
    finally:
        await runner.cleanup()

    # c's folder is mended: its next reload catches up and tells the others (nothing changes for them)
    (c.knowledge_dir / "faq" / "broken.yaml").unlink()
    edit_faq(c.knowledge_dir, "invite-member", answer=NEW_ANSWER)
    mended = await reload_knowledge(c, who="admin")
    assert mended.ok and {r["state"] for r in mended.replicas} == {"serves"}
    assert not c.sync.stale and "SYNCED-ANSWER" in ask_sync(c).answer


async def test_channel_modes_set_on_one_replica_reach_the_others(replicas):
    a, b, c = replicas
    set_channel_mode(a, "C42", "monitor")
    await _until(lambda: b.guard.input.channel_modes.get("C42") == "monitor" == c.guard.output.channel_modes.get("C42"))
    set_channel_mode(b, "C42", None)
    await _until(lambda: "C42" not in a.guard.input.channel_modes and "C42" not in c.guard.input.channel_modes)
