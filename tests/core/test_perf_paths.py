"""The fast paths give what the plain ones give: direct encode, audit insert, output-guard cache."""

from __future__ import annotations

import json
import shutil
import sqlite3

import numpy as np

from bot.core.audit import AuditLog
from bot.config import load_settings
from bot.search.embeddings import LONG_BATCH, _fingerprint, resolve_model_path
from bot.search.minilm import direct_encode, plain_folder
from bot.guard.stage import GuardStage, redact_for_log
from bot.knowledge import load_knowledge
from bot.messages import Message, Reply, Source
from tests.conftest import SAMPLE_KNOWLEDGE

TEXTS = ["How do I invite a member?", "", " ", "パスワードを忘れました", "word " * 600, "x",
         "Can I export my data to CSV, and how long does it take for big workspaces?"]


def test_direct_encode_equals_sentence_transformers(embedder):
    assert embedder._direct is not None  # all-MiniLM-L6-v2 takes the direct path
    kb = load_knowledge(SAMPLE_KNOWLEDGE)
    texts = TEXTS + [t for c in kb.chunks[:40] for t in c.embed_texts]
    for batch_size in (1, LONG_BATCH, 64):
        ref = embedder.model.encode(texts, batch_size=batch_size, normalize_embeddings=True)
        got = direct_encode(*embedder._direct, texts, batch_size, embedder.identity.dimension)
        assert got.dtype == np.float32 and np.allclose(ref, got, atol=1e-6)
    ref = embedder.model.encode(texts, batch_size=64, normalize_embeddings=True)
    assert np.allclose(embedder.embed_batch(texts), ref, atol=1e-6)


def test_direct_model_keeps_the_identity_and_tokens(embedder):
    # The same fingerprint as before (from SentenceTransformer's weights): stored indexes stay valid.
    assert _fingerprint(embedder.model.state_dict().items()) == embedder.identity.fingerprint
    tokenizer = embedder._direct[0]
    for text in TEXTS:
        assert tokenizer(text, truncation="longest_first")["input_ids"] == \
            embedder.model.tokenizer(text, truncation="longest_first")["input_ids"]


def test_only_plain_folders_skip_sentence_transformers(tmp_path):
    bundled = resolve_model_path("all-MiniLM-L6-v2")
    assert plain_folder(bundled) == 256
    folder = tmp_path / "m"
    shutil.copytree(bundled, folder, ignore=shutil.ignore_patterns("*.safetensors", "*.bin"))
    pooling = folder / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    pooling.write_text(json.dumps({**config, "pooling_mode_mean_tokens": False, "pooling_mode_cls_token": True}))
    assert plain_folder(str(folder)) is None
    pooling.write_text(json.dumps(config))
    (folder / "config_sentence_transformers.json").write_text(json.dumps({"prompts": {"query": "query: "}}))
    assert plain_folder(str(folder)) is None
    assert plain_folder(str(tmp_path / "missing")) is None


def _reply(i: int) -> Reply:
    return Reply("answer", f"answer {i}", sources=[Source(f"faq-{i}", "t", None, 0.9)], scores={"answer": 0.91234567},
                 reasons=["r"], latency_ms=1.23456)


def test_audit_rows_are_written_at_once_and_survive_reopen(tmp_path):
    path = tmp_path / "audit.db"
    log = AuditLog(path, redact_for_log)
    ids = [log.record(Message(f"q {i} mail me at a@b.co", platform="t", user_id="u", channel_id="c"), _reply(i))
           for i in range(50)]
    assert ids == sorted(ids) and len(set(ids)) == 50
    row = log.db.execute("select route, source, sources, scores, text_redacted, latency_ms from audit where id = ?",
                         [ids[-1]]).fetchone()
    assert row == ("answer", "faq-49", '["faq-49"]', '{"answer": 0.9123}', "q 49 mail me at [EMAIL]", 1.235)
    other = sqlite3.connect(path)  # another reader sees every row
    assert other.execute("select count(*) from audit").fetchone()[0] == 50
    other.close()
    log.db.conn.close()
    assert AuditLog(path, redact_for_log).db.execute("select count(*) from audit").fetchone()[0] == 50


def test_output_verdict_cache_keys_on_everything_it_reads(monkeypatch):
    stage = GuardStage(load_settings(env={}))
    runs = []
    real = stage.output.run
    monkeypatch.setattr(stage.output, "run", lambda text, ctx: runs.append(text) or real(text, ctx))
    msg = Message("q", user_id="u", channel_id="c")
    text = "See https://evil.example/x and call +1 (555) 123-4567."
    first = stage.check_output(text, msg, ["source"], allowed_domains=("docs.example.com",))
    again = stage.check_output(text, msg, ["source"], allowed_domains=("docs.example.com",))
    assert len(runs) == 1 and again.text == first.text and again.verdict == first.verdict
    again.reasons.append("mutated")  # callers get copies
    assert "mutated" not in stage.check_output(text, msg, ["source"], allowed_domains=("docs.example.com",)).reasons
    allowed = stage.check_output(text, msg, ["source"], allowed_domains=("evil.example",))
    assert len(runs) == 2 and "https://evil.example/x" in allowed.text
    kept = stage.check_output(text, msg, ["call +1 (555) 123-4567"], allowed_domains=("docs.example.com",))
    assert len(runs) == 3 and "123-4567" in kept.text
    stage.set_channel_mode("c", "monitor")
    stage.check_output(text, msg, ["source"], allowed_domains=("docs.example.com",))
    assert len(runs) == 4
    stage.check_output(text, msg, ["source"], canary="CANARY-1")  # generated answers are never cached
    stage.check_output(text, msg, ["source"], canary="CANARY-1")
    assert len(runs) == 6


def test_knowledge_reload_changes_output_verdict_inputs(sample_bot):
    """Answers and sources are part of the key: a changed FAQ answer is checked afresh."""
    reply = sample_bot.answer_sync(Message("How do I invite a member?", user_id="cache-u", channel_id="cache-c"))
    assert reply.route == "answer"
    cache = sample_bot.guard._output_cache
    assert cache is not None and any(key[0] == reply.answer for key in cache)
    msg = Message("q", user_id="u2", channel_id="c2")
    before = len(cache)
    sample_bot.guard.check_output("Updated. " + reply.answer, msg, ["new source text"])
    assert len(cache) == before + 1
