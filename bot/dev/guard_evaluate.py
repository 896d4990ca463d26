"""Measure the input guard on the development data (skips cleanly without it).

    python -m bot.dev.guard_evaluate [--data ../shared/data] [--json out.json] [--loso-only]

First, the headline: leave-one-source-out over the attack sources (bot/dev/guard_loso.py). Then the
older protocols, whose test rows come from the sources the head trained on. Held-out protocol: every training source is split 70/30 (fixed seed); a head is trained on
the 70% and the whole input guard (rules + exemplars + that head) is run on the 30%.
A 5-fold cross-validation of the whole guard (head refit per fold) follows. CLINC150 val
(banking + credit_cards) is never trained on. The shipped head (trained on
everything) is also run on all rows: those figures are in-sample. Exemplars and rules were
written by people who had read the development data, so no figure here is fully blind.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

from bot.dev import datasets as D
from bot.guard.base import ScanContext
from bot.guard.build import build_input_guard
from bot.guard.normalize import normalize
from bot.guard.policy import load_policy, resolve_policy
from bot.dev.guard_loso import print_loso, run_loso
from bot.dev.guard_train import embed_sources, fit_on, load_sources

ATTACKS = ("deepset_pos", "giskard", "wild")


class CachedEmbed:
    """The pipeline's per-message cache, pre-filled: embedding cost is excluded from timings."""

    def __init__(self, embedder, texts: list[str], vecs: np.ndarray):
        self.embedder = embedder
        self.table = dict(zip(texts, vecs))
        self.misses = 0
        self.miss_seconds = 0.0  # time spent embedding texts the guard changed (not guard cost)

    def __call__(self, text: str) -> np.ndarray:
        if text not in self.table:
            start = time.perf_counter()
            self.misses += 1
            self.table[text] = self.embedder.embed_batch([text])[0]
            self.miss_seconds += time.perf_counter() - start
        return self.table[text]


def run_guard(guard, texts: list[str], embed: CachedEmbed, tag: str) -> dict:
    verdicts, layers, times = Counter(), Counter(), []
    for i, text in enumerate(texts):
        ctx = ScanContext(user_id=f"{tag}-{i}", channel_id=f"{tag}-{i}", embed=embed)
        spent = embed.miss_seconds if embed else 0.0
        start = time.perf_counter()
        out = guard.run(text, ctx)
        extra = (embed.miss_seconds - spent) if embed else 0.0
        times.append((time.perf_counter() - start - extra) * 1000)
        verdicts[out.verdict] += 1
        if out.verdict in ("block", "strip"):
            layers[next(n for n, r in out.results.items() if r.verdict in ("block", "strip"))] += 1
    n = max(1, len(texts))
    return {"n": len(texts), "blocked": verdicts["block"] / n,
            "blocked_or_stripped": (verdicts["block"] + verdicts["strip"]) / n,
            "flagged": verdicts["flag"] / n, "by_layer": dict(layers),
            "p50_ms": float(np.percentile(times, 50)) if times else 0.0,
            "p95_ms": float(np.percentile(times, 95)) if times else 0.0}


def _table(title: str, rows: dict[str, dict]) -> None:
    print(f"\n{title}")
    print(f"{'set':<22}{'n':>6}{'block':>8}{'blk+strip':>11}{'flag':>7}{'p50 ms':>8}{'p95 ms':>8}  first blocking layer")
    for name, r in rows.items():
        print(f"{name:<22}{r['n']:>6}{r['blocked']:>8.3f}{r['blocked_or_stripped']:>11.3f}{r['flagged']:>7.3f}"
              f"{r['p50_ms']:>8.2f}{r['p95_ms']:>8.2f}  {r['by_layer']}")


def _attack_total(rows: dict[str, dict]) -> float:
    n = sum(rows[k]["n"] for k in ATTACKS)
    return sum(rows[k]["blocked_or_stripped"] * rows[k]["n"] for k in ATTACKS) / n


def _with_head(policy: dict, vecs: dict, texts: dict, train_index: dict, body):
    """Run `body(guard)` with an input guard whose head was trained on `train_index` rows."""
    head = fit_on(vecs, texts, train_index)
    with tempfile.TemporaryDirectory() as tmp:
        weights = Path(tmp) / "head.npz"
        head.save(weights)
        policy = copy.deepcopy(policy)
        policy["injection_classifier"]["weights"] = str(weights)
        return body(build_input_guard(policy))


def _cross_validate(policy: dict, vecs: dict, sources: dict, embed: CachedEmbed, folds: int = 5,
                    seed: int = 7) -> dict:
    rng = np.random.default_rng(seed)
    names = (*ATTACKS, "deepset_neg", "alpaca")
    fold_of = {k: rng.permutation(len(v)) % folds for k, v in vecs.items()}
    parts: dict[str, list[dict]] = {k: [] for k in names}
    for f in range(folds):
        train = {k: np.where(fold_of[k] != f)[0] for k in vecs}
        tests = {k: np.where(fold_of[k] == f)[0] for k in names}
        def run_fold(guard, f=f, tests=tests):
            return {k: run_guard(guard, [sources[k][i] for i in tests[k]], embed, f"cv{f}-{k}") for k in names}

        got = _with_head(policy, vecs, sources, train, run_fold)
        for k in names:
            parts[k].append(got[k])
    merged = {}
    for k, rows in parts.items():
        n = sum(r["n"] for r in rows)
        merged[k] = {"n": n, "by_layer": dict(sum((Counter(r["by_layer"]) for r in rows), Counter()))}
        for field in ("blocked", "blocked_or_stripped", "flagged", "p50_ms", "p95_ms"):
            merged[k][field] = sum(r[field] * r["n"] for r in rows) / n  # p50/p95: fold-weighted mean
    return merged


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bot.dev.guard_evaluate")
    ap.add_argument("--data", help="development data folder (default ../shared/data)")
    ap.add_argument("--json", help="also write the figures to this file")
    ap.add_argument("--policy", help="guard policy file to evaluate (default: the built-in default policy)")
    ap.add_argument("--loso-only", action="store_true", help="only the leave-one-source-out protocol")
    args = ap.parse_args(argv)
    root = D.data_dir(args.data)
    if root is None:
        print("skipped: no development data folder (../shared/data)")
        return 0
    from bot.search.embeddings import get_embedder

    policy = load_policy(args.policy) if args.policy else resolve_policy()

    embedder = get_embedder()
    sources = load_sources(root)
    sources["clinc_in_scope_val"] = [normalize(t) for t in D.clinc_in_scope(root, "val")]
    sources["kb_phrasings"] = kb_phrasings()
    vecs = embed_sources(sources, embedder)
    embed = CachedEmbed(embedder, [t for v in sources.values() for t in v], np.concatenate(list(vecs.values())))
    report: dict = {}

    # 0. the headline: leave one attack source out (head and threshold fitted without it)
    report["loso"] = run_loso(policy, vecs, sources, embed,
                              {"clinc_in_scope_val": sources["clinc_in_scope_val"], "kb_phrasings": sources["kb_phrasings"]},
                              run_guard, _with_head)
    print_loso(report["loso"])
    if args.loso_only:
        _write(args.json, report, embed)
        return 0

    # 1. held-out: head trained on 70% of each training source, guard run on the other 30%
    split = {k: D.split_indices(len(v)) for k, v in vecs.items()}
    held = _with_head(policy, vecs, sources, {k: s[0] for k, s in split.items()},
                      lambda guard: {k: run_guard(guard, [sources[k][i] for i in split[k][1]], embed, f"h-{k}")
                                     for k in (*ATTACKS, "deepset_neg", "alpaca")}
                      | {"clinc_in_scope_val": run_guard(guard, sources["clinc_in_scope_val"], embed, "h-c")})
    _table("HELD-OUT (head trained on a 70% split; 30% test rows; CLINC val never trained on)", held)
    print(f"attacks overall (blocked or stripped): {_attack_total(held):.3f}")
    report["held_out"] = held

    # 2. 5-fold cross-validation of the whole guard: every row judged by a head that never saw it
    report["cv_5fold"] = cv = _cross_validate(policy, vecs, sources, embed)
    _table("5-FOLD CROSS-VALIDATION (whole guard; head refit per fold)", cv)
    print(f"attacks overall (blocked or stripped): {_attack_total(cv):.3f}")

    # 3. the shipped guard on every row (in-sample for the head)
    guard = build_input_guard(policy)
    full = {k: run_guard(guard, sources[k], embed, f"f-{k}")
            for k in (*ATTACKS, "deepset_neg", "clinc_in_scope_val", "alpaca", "clinc_train", "banking77")}
    _table("SHIPPED GUARD, ALL ROWS (in-sample for the head except clinc_in_scope_val)", full)
    print(f"attacks overall (blocked or stripped): {_attack_total(full):.3f}")
    report["shipped_all_rows"] = full

    # 4. rules only (no embedder): what a deployment without the model gets
    rules_only = {k: run_guard(guard, sources[k], None, f"r-{k}")  # type: ignore[arg-type]
                  for k in (*ATTACKS, "deepset_neg", "clinc_in_scope_val", "alpaca")}
    _table("RULES ONLY (no embedding layers)", rules_only)
    report["rules_only"] = rules_only

    print("\ngoals: attacks blocked >= 0.95; in-scope + deepset benign blocked <= 0.01; "
          "alpaca blocked <= 0.05; p50 <= 5 ms beyond the embedding")
    _write(args.json, report, embed)
    return 0


def _write(path: str | None, report: dict, embed: CachedEmbed) -> None:
    print(f"embedding cache misses (stripped/redacted texts embedded during the run): {embed.misses}")
    if path:
        Path(path).write_text(json.dumps(report, indent=1))


def kb_phrasings() -> list[str]:
    """The bundled sample knowledge's FAQ phrasings (benign, in scope)."""
    from bot.knowledge.loader import load_knowledge

    kb = load_knowledge(D.REPO_ROOT / "knowledge")
    return [normalize(q) for c in kb.chunks if c.kind == "faq" for q in c.questions]


if __name__ == "__main__":
    sys.exit(main())
