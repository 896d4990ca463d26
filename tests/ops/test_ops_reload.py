"""Knowledge reload: happy path, invalid knowledge, concurrent questions, dry run, one at a time, participants."""

from __future__ import annotations

import asyncio
import io
import json

from bot import strings
from bot.search.store import open_db
from bot.core import snapshot as snapshot_mod
from bot.core.snapshot import build_snapshot
from bot.core.pipeline import Staged
from bot.ops.reload import diff_knowledge, preview_calibration, reload_knowledge
from bot.paths import index_path
from ops_helpers import add_faq, ask, ask_sync, edit_faq

NEW_ANSWER = "Open Settings, then People, then press Add people (NEW-ANSWER-MARKER)."


def _chunk_hashes(bot) -> dict[str, str]:
    db = open_db(index_path(bot.settings, bot.knowledge_dir))
    try:
        return {row[0]: row[1] for row in db.execute("select id, hash from chunks")}
    finally:
        db.conn.close()


async def test_reload_serves_edited_answer_and_embeds_only_the_change(fresh_bot):
    bot = fresh_bot
    before = ask_sync(bot)
    assert before.route == "answer" and before.source == "invite-member"
    assert "NEW-ANSWER-MARKER" not in before.answer
    edit_faq(bot.knowledge_dir, "invite-member", answer=NEW_ANSWER, add_question="How do I bring a coworker into Tasklane?")

    result = await reload_knowledge(bot, who="tester")

    assert result.ok, result.errors
    assert result.diff["faq"] == {"added": [], "changed": ["invite-member"], "removed": []}
    assert result.diff["doc"] == {"added": [], "changed": [], "removed": []}
    # Only the new phrasing is embedded: the answer text is not embedded for FAQ entries.
    assert result.embedded_texts == 1
    assert bot.snapshot.stats.embedded_texts == 1
    assert bot.snapshot.stats.changed == ["invite-member"]
    after = ask_sync(bot)
    assert after.source == "invite-member" and "NEW-ANSWER-MARKER" in after.answer
    assert "Reloaded the knowledge" in result.summary() and "invite-member" in result.summary()


async def test_invalid_knowledge_keeps_old_snapshot_and_reports_every_error(fresh_bot):
    bot = fresh_bot
    live = bot.snapshot
    answer_before = ask_sync(bot).answer
    (bot.knowledge_dir / "faq" / "broken.yaml").write_text(
        "- id: broken-entry\n  questions:\n    - Why?\n  answer: [unclosed\n", encoding="utf-8"
    )
    add_faq(bot.knowledge_dir, "no-answer", "What is this?", "")  # second, different problem

    result = await reload_knowledge(bot, who="tester")

    assert not result.ok
    assert bot.snapshot is live
    assert ask_sync(bot).answer == answer_before
    assert any(e.startswith("faq/broken.yaml:") and "invalid YAML" in e for e in result.errors), result.errors
    line = next(e for e in result.errors if e.startswith("faq/broken.yaml:")).split(":")[1]
    assert line.isdigit() and 4 <= int(line) <= 5  # the line of the unclosed bracket (or just after)
    assert any("faq/extra.yaml:" in e and "no-answer" in e for e in result.errors), result.errors
    text = result.summary()
    assert text.startswith(strings.RELOAD_FAILED) and "faq/broken.yaml" in text and "no-answer" in text
    row = bot.audit.db.execute("select ok, dry_run, errors, who from reloads order by id desc limit 1").fetchone()
    assert row[0] == 0 and row[1] == 0 and row[3] == "tester"
    assert json.loads(row[2]) == result.errors
    assert bot.metrics.last_reload_ok.value() == 0


async def test_questions_during_reload_are_all_answered_from_one_snapshot(fresh_bot):
    bot = fresh_bot
    old_kb = bot.snapshot.kb.fingerprint
    old_answer = ask_sync(bot).answer
    edit_faq(bot.knowledge_dir, "invite-member", answer=NEW_ANSWER)
    # A new page with many sections, so the reload embeds for a while.
    sections = "\n\n".join(f"## Office {i} checklist\n\nStep {i}: water the plant number {i} and log it." for i in range(60))
    (bot.knowledge_dir / "docs" / "office.md").write_text(f"# Office\n\n{sections}\n", encoding="utf-8")

    reload_task = asyncio.create_task(reload_knowledge(bot, who="tester"))
    during = 0

    async def one(i: int):
        nonlocal during
        await asyncio.sleep(i * 0.03)
        reply = await ask(bot, user=f"u{i}", channel=f"C{i}")  # 50 people: under the guard's flood limits
        if not reload_task.done():
            during += 1
        return reply

    replies = await asyncio.gather(*(one(i) for i in range(50)))
    result = await reload_task

    assert result.ok, result.errors
    new_kb = bot.snapshot.kb.fingerprint
    assert new_kb != old_kb
    assert len(replies) == 50 and all(r is not None for r in replies)
    for reply in replies:
        assert reply.route == "answer" and reply.source == "invite-member"
        assert reply.versions["kb"] in (old_kb, new_kb)
        assert reply.answer == (old_answer if reply.versions["kb"] == old_kb else NEW_ANSWER)
    assert during > 0, "the event loop must keep answering while the reload runs"
    assert any(r.versions["kb"] == old_kb for r in replies)
    audited = bot.audit.db.execute("select count(*) from audit where platform = 'test'").fetchone()[0]
    assert audited == 51  # 50 + the question asked before


async def test_dry_run_shows_diff_and_calibration_but_swaps_nothing(fresh_bot, monkeypatch):
    bot = fresh_bot
    live = bot.snapshot
    hashes_before = _chunk_hashes(bot)
    edit_faq(bot.knowledge_dir, "invite-member", answer=NEW_ANSWER)
    add_faq(bot.knowledge_dir, "office-plants", "Who waters the office plants?", "The plant rota in the kitchen says who.")
    mobile = bot.knowledge_dir / "docs" / "mobile.md"
    text = mobile.read_text(encoding="utf-8")
    start = text.index("## Offline mode")
    end = text.index("\n## ", start + 5)
    mobile.write_text(text[:start] + text[end + 1 :], encoding="utf-8")

    result = await reload_knowledge(bot, who="tester", dry_run=True)

    assert result.ok and result.dry_run, result.errors
    assert result.diff["faq"]["changed"] == ["invite-member"]
    assert result.diff["faq"]["added"] == ["office-plants"]
    assert result.diff["doc"]["removed"] == ["docs/mobile.md#offline-mode"]
    assert result.embedded_texts == 1  # the new FAQ phrasing, into the vector cache only
    summary = result.summary()
    assert summary.startswith("Dry run") and "office-plants" in summary and "docs/mobile.md#offline-mode" in summary
    assert "calibration:" in summary
    # Nothing swapped, nothing in the index changed.
    assert bot.snapshot is live
    assert "NEW-ANSWER-MARKER" not in ask_sync(bot).answer
    assert _chunk_hashes(bot) == hashes_before
    # The calibration was fitted for the new knowledge, beside the live one.
    from bot.knowledge import load_knowledge

    new_kb = load_knowledge(bot.knowledge_dir)
    calibration, embedded = preview_calibration(bot, new_kb)
    assert new_kb.fingerprint in calibration.key and live.kb.fingerprint in live.calibration.key
    assert embedded == 0
    expected = {f: [getattr(live.calibration, f), getattr(calibration, f)] for f in ("answer_threshold", "scope_threshold", "ambiguity_margin")}
    assert result.calibration == {k: v for k, v in expected.items() if v[0] != v[1]}
    row = bot.audit.db.execute("select ok, dry_run from reloads order by id desc limit 1").fetchone()
    assert row == (1, 1)

    def no_refit(*args, **kwargs):
        raise AssertionError("the real reload must reuse the dry run's calibration")

    monkeypatch.setattr(snapshot_mod, "fit_calibration", no_refit)
    real = await reload_knowledge(bot, who="tester")
    assert real.ok and real.embedded_texts == 0, real.errors  # reuses what the dry run cached
    assert real.diff == result.diff
    assert bot.snapshot.calibration.key == calibration.key


async def test_second_reload_is_told_one_is_running_or_waits(fresh_bot):
    bot = fresh_bot
    first = asyncio.create_task(reload_knowledge(bot, who="a"))
    await asyncio.sleep(0)  # let it take the lock
    busy = await reload_knowledge(bot, who="b")
    assert busy.busy and not busy.ok and busy.summary() == strings.RELOAD_BUSY
    waited = await reload_knowledge(bot, who="c", wait=True)
    assert (await first).ok and waited.ok
    assert [r[0] for r in bot.audit.db.execute("select who from reloads order by id")] == ["a", "c"]


async def test_participants_stage_then_apply_and_can_fail_the_reload(fresh_bot):
    bot = fresh_bot
    calls = []

    def prompts():
        calls.append("stage")
        return Staged(lambda: calls.append("apply"), note="prompts: 2 files")

    bot.on_reload(prompts)
    assert (await reload_knowledge(bot, who="t", dry_run=True)).notes == ["prompts: 2 files"]
    assert calls == ["stage"]
    result = await reload_knowledge(bot, who="t")
    assert result.ok and calls == ["stage", "stage", "apply"] and "prompts: 2 files" in result.summary()

    guard = bot.guard

    def bad_policy():
        raise ValueError("guard policy line 3: unknown action 'explode'")

    bot.on_reload(bad_policy)
    live = bot.snapshot
    failed = await reload_knowledge(bot, who="t")
    assert not failed.ok and bot.snapshot is live and bot.guard is guard  # nothing applied
    assert any("unknown action" in e for e in failed.errors) and calls.count("apply") == 1


async def test_guard_policy_reloads_with_the_knowledge(fresh_bot):
    bot = fresh_bot
    bot.guard.set_channel_mode("C9", "monitor")
    old = bot.guard
    result = await reload_knowledge(bot, who="t")
    assert result.ok and bot.guard is not old, "the guard is rebuilt from its policy on reload"
    assert bot.guard.state is old.state and bot.guard.input.channel_modes == {"C9": "monitor"}


async def test_live_index_is_in_memory_so_rewriting_the_database_is_safe(fresh_bot):
    """The claim behind building 'beside' the live index: the served snapshot never reads the DB."""
    bot = fresh_bot
    live = bot.snapshot
    edit_faq(bot.knowledge_dir, "invite-member", answer=NEW_ANSWER)
    db_path = index_path(bot.settings, bot.knowledge_dir)
    # Rewrite the database for the new knowledge (one build_index transaction) without swapping.
    built = build_snapshot(bot.knowledge_dir, db_path, bot.embedder)
    assert built.stats.changed == ["invite-member"]
    assert "NEW-ANSWER-MARKER" not in ask_sync(bot).answer and bot.snapshot is live
    # Even with the database gone, the live snapshot keeps answering.
    db_path.unlink()
    assert ask_sync(bot).source == "invite-member"


async def test_failed_embedding_rolls_back_and_keeps_serving(fresh_bot, monkeypatch):
    bot = fresh_bot
    live = bot.snapshot
    hashes_before = _chunk_hashes(bot)
    edit_faq(bot.knowledge_dir, "invite-member", add_question="Totally new phrasing about inviting people?")

    class Broken:
        identity = bot.embedder.identity

        def embed_batch(self, texts):
            raise RuntimeError("out of memory while embedding")

    real = bot.embedder
    monkeypatch.setattr(bot, "embedder", Broken())
    failed = await reload_knowledge(bot, who="t")
    assert not failed.ok and any("out of memory" in e for e in failed.errors)
    assert bot.snapshot is live and _chunk_hashes(bot) == hashes_before
    monkeypatch.setattr(bot, "embedder", real)
    assert ask_sync(bot).source == "invite-member"
    ok = await reload_knowledge(bot, who="t")
    assert ok.ok and ok.embedded_texts == 1 and _chunk_hashes(bot) != hashes_before


def test_diff_knowledge_by_id_and_hash(module_bot):
    from dataclasses import replace

    kb = module_bot.snapshot.kb
    chunks = list(kb.chunks)
    changed = replace(chunks[0], text=chunks[0].text + " More.")
    new = type(kb)(root=kb.root, scope=kb.scope, chunks=[changed] + chunks[2:])
    diff = diff_knowledge(kb, new)
    assert diff[chunks[0].kind]["changed"] == [chunks[0].id]
    assert diff[chunks[1].kind]["removed"] == [chunks[1].id]
    assert diff["scope_changed"] is False


async def test_console_reload_goes_through_run_admin(module_bot):
    from adapters.console import chat_loop

    out = io.StringIO()
    await chat_loop(module_bot, ["/reload --dry-run\n", "/reload\n", "/reload --bogus\n"], lambda r: r.answer, out)
    text = out.getvalue()
    assert "Dry run (nothing changed)" in text
    assert "Reloaded the knowledge" in text
    assert "Usage: reload [--dry-run]" in text


async def test_reload_metrics(fresh_bot):
    metrics = fresh_bot.metrics
    ok_before = metrics.reloads.value(result="ok")
    assert (await reload_knowledge(fresh_bot, who="t")).ok
    assert metrics.reloads.value(result="ok") == ok_before + 1
    assert metrics.last_reload_ok.value() == 1 and metrics.last_reload_ts.value() > 0
    await reload_knowledge(fresh_bot, who="t", dry_run=True)
    assert metrics.reloads.value(result="ok") == ok_before + 1  # dry runs are not reloads


def test_sharing_embedder_splits_batches_and_keeps_order():
    import numpy as np

    from bot.ops.reload import SharingEmbedder

    class Counting:
        identity = "id"

        def __init__(self):
            self.calls = []

        def embed_batch(self, texts):
            self.calls.append(len(texts))
            return np.array([[float(t)] for t in texts], dtype=np.float32)

    inner = Counting()
    sharing = SharingEmbedder(inner, batch_size=4, pause_s=0)
    out = sharing.embed_batch([str(i) for i in range(10)])
    assert inner.calls == [4, 4, 2] and out[:, 0].tolist() == list(range(10))
    assert sharing.identity == "id" and sharing.embed_batch(["1"]).shape == (1, 1)
