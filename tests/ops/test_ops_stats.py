"""Stats from the audit log, and coverage-gap clustering."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

import numpy as np
import pytest

from bot.core.audit import AuditLog
from bot.ops.gaps import cluster_questions
from bot.ops.stats import compute_stats, feedback_key, format_stats
from bot.guard.stage import redact_for_log
from ops_helpers import GAP_GROUPS, seed_audit

NOW = dt.datetime(2025, 3, 20, 12, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    audit = AuditLog(tmp_path_factory.mktemp("stats") / "helpbot.db", redact_for_log)
    info = seed_audit(audit.db, days=14, per_day=30, now=NOW)
    return audit.db, info


def _within(rows, days):
    cutoff = (NOW - dt.timedelta(days=days)).isoformat(timespec="milliseconds")
    return [r for r in rows if r["ts"] >= cutoff]


def test_routes_latency_blocks_llm_share(seeded, embedder):
    db, info = seeded
    stats = compute_stats(db, 5, embedder, now=NOW)
    rows = _within(info["rows"], 5)
    assert stats["total"] == len(rows) and len(rows) < len(info["rows"])
    assert stats["routes"] == dict(Counter(r["route"] for r in rows))
    answers = [r["latency_ms"] for r in rows if r["route"] == "answer"]
    p50, p95 = np.percentile(answers, [50, 95])
    assert stats["latency_ms"]["answer"] == {"p50": round(p50, 1), "p95": round(p95, 1), "count": len(answers)}
    blocks = Counter(reason for r in rows if r["route"] == "block" for reason in json.loads(r["reasons"]))
    assert stats["block_reasons"] == dict(blocks) and blocks
    answered = [r for r in rows if r["route"] in ("answer", "partial")]
    generated = sum(r["generated"] for r in answered)
    assert stats["llm"] == {"generated": generated, "answered": len(answered), "share": round(generated / len(answered), 4)}
    assert [d["day"] for d in stats["daily"]] == sorted({r["ts"][:10] for r in rows})
    assert sum(sum(d["routes"].values()) for d in stats["daily"]) == len(rows)


def test_feedback_ratios_merge_spellings(seeded):
    db, info = seeded
    stats = compute_stats(db, 30, None, now=NOW)
    counts = Counter(feedback_key(f["value"]) for f in info["feedback"])
    fb = stats["feedback"]
    assert fb["total"] == len(info["feedback"])
    assert fb["counts"]["should_have_answered"] == counts["should_have_answered"] > 0
    assert fb["counts"]["helpful"] == counts["helpful"] and fb["counts"]["not_helpful"] == counts["not_helpful"]
    assert fb["ratios"]["helpful"] == round(counts["helpful"] / len(info["feedback"]), 4)
    assert abs(sum(fb["ratios"].values()) - 1) < 1e-3
    assert feedback_key("Not Helpful") == feedback_key("not-helpful") == "not_helpful"


def test_gaps_group_paraphrases_and_keep_topics_apart(seeded, embedder):
    db, info = seeded
    stats = compute_stats(db, 30, embedder, gap_limit=50, now=NOW)
    unanswered = [r for r in info["rows"] if r["route"] in ("unknown", "refuse")]
    assert sum(g["size"] for g in stats["gaps"]) == len(unanswered)
    where = {}
    for n, gap in enumerate(stats["gaps"]):
        for example in gap["examples"]:
            where[example] = n
        assert gap["representative"] in gap["examples"] or gap["distinct"] > 3
    export, dark = GAP_GROUPS["unknown"][0], GAP_GROUPS["unknown"][1]
    asked = {r["text_redacted"] for r in unanswered}
    export_seen = [q for q in export if q in asked]
    assert len({where[q] for q in export_seen}) == 1  # paraphrases share one gap
    assert where[export_seen[0]] != where[next(q for q in dark if q in asked)]  # topics stay apart
    sizes = [g["size"] for g in stats["gaps"]]
    assert sizes == sorted(sizes, reverse=True)
    assert {t["text"] for t in stats["top_unknown"]} <= {q for g in GAP_GROUPS["unknown"] for q in g}
    assert {t["text"] for t in stats["top_refused"]} <= {q for g in GAP_GROUPS["refuse"] for q in g}


def test_format_stats_text(seeded, embedder):
    db, _ = seeded
    text = format_stats(compute_stats(db, 7, embedder, now=NOW))
    assert text.startswith("Last 7 days:")
    for part in ("Routes: answer", "latency answer: p50", "Feedback (", "Block reasons: guard.", "LLM-written answers", "Coverage gaps"):
        assert part in text
    empty = format_stats(compute_stats(db, 7, None, now=NOW + dt.timedelta(days=400)))
    assert "0 messages" in empty and "Feedback: none yet" in empty


class AxisEmbedder:
    """Each text's vector is fixed by hand, so the clustering can be checked exactly."""

    def __init__(self, table):
        self.table = table

    def embed_batch(self, texts):
        vectors = np.array([self.table[t] for t in texts], dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_greedy_clustering_exact():
    table = {"a1": [1, 0, 0], "a2": [0.95, 0.2, 0], "b1": [0, 1, 0], "c1": [0, 0, 1], "c2": [0.1, 0, 1]}
    items = [("a1", 5, "unknown"), ("a2", 1, "unknown"), ("b1", 3, "refuse"), ("c1", 1, "unknown"), ("c2", 2, "unknown")]
    clusters = cluster_questions(items, AxisEmbedder(table), threshold=0.9)
    assert [(c["size"], c["distinct"]) for c in clusters] == [(6, 2), (3, 1), (3, 2)]
    assert clusters[0]["examples"] == ["a1", "a2"] and clusters[0]["routes"] == {"unknown": 6}
    assert clusters[1]["representative"] == "b1" and clusters[1]["routes"] == {"refuse": 3}
    assert cluster_questions(items, AxisEmbedder(table), threshold=0.999)[0]["distinct"] == 1
    assert cluster_questions([], AxisEmbedder(table)) == []
