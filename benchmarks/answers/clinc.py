"""CLINC150 leave-one-domain-out: each pair of domains in turn is "the service".

For a pair (a, b): one FAQ entry per intent of a and b, its phrasings = the intent's first
`phrasings` rows of `train`. Test rows: the `val` rows of every intent (those of a and b must be
answered with their entry; every other domain's are out of scope) and `oos_val` (out of scope).
helpbot fits nothing on the pair's test rows: its per-knowledge-base calibration reads the entries'
own phrasings (that is the product). The baselines' one threshold is fitted, for pair (a, b), on
the pairs made of other domains only, on train-side rows that are not phrasings of any entry (the
next `fit_rows` train rows per intent) and `oos_train`, with every row of a and b left out, so
neither the pair's domains nor any `val` / `oos_val` row is seen (rule `balanced`: the mean of the
two goal figures is maximised).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np

from benchmarks.answers.core import BM25, NearestNeighbour, apply_threshold, fit_threshold, helpbot_rows, mean_worst, scope_metrics
from bot.dev import datasets as D

SYSTEMS = ("helpbot", "bm25", "nn")


def all_pairs(domains: dict) -> list[tuple[str, str]]:
    return list(itertools.combinations(sorted(domains), 2))


def pick_pairs(pairs: list, n: int | None) -> list:
    """`n` pairs spread evenly over the sorted list (all when n is None or >= 45)."""
    if not n or n >= len(pairs):
        return pairs
    return [pairs[i] for i in sorted(set(np.linspace(0, len(pairs) - 1, n).round().astype(int).tolist()))]


class Data:
    def __init__(self, shared: Path, phrasings: int = 10, fit_rows: int = 10, per_intent: int | None = None):
        splits, self.domains = D.clinc_splits(shared), D.clinc_domains(shared)
        self.domain_of = {i: d for d, intents in self.domains.items() for i in intents}
        seen: dict[str, int] = {}
        self.phrasings: dict[str, list[str]] = {i: [] for i in self.domain_of}
        self.fit: list[tuple[str, str | None]] = []  # train-side rows that are no entry's phrasing
        for text, intent in splits["train"]:
            k = seen[intent] = seen.get(intent, 0) + 1
            if k <= phrasings:
                self.phrasings[intent].append(text)
            elif k <= phrasings + fit_rows:
                self.fit.append((text, intent))
        self.fit += [(t, None) for t, _ in splits.get("oos_train", [])]
        counted: dict[str, int] = {}
        self.test: list[tuple[str, str | None]] = []
        for text, intent in splits["val"]:
            counted[intent] = counted.get(intent, 0) + 1
            if per_intent is None or counted[intent] <= per_intent:
                self.test.append((text, intent))
        self.test += [(t, None) for t, _ in splits.get("oos_val", [])]

    def gold(self, rows, pair) -> list[str | None]:
        return [i if i is not None and self.domain_of[i] in pair else None for _, i in rows]

    def write_kb(self, pair: tuple[str, str], out: Path) -> Path:
        folder = out / "-".join(pair)
        (folder / "faq").mkdir(parents=True)
        names = [d.replace("_", " ") for d in pair]
        scope = {"service": f"{names[0].title()} and {names[1].title()} desk",
                 "description": f"Help with {names[0]} and {names[1]}."}
        (folder / "scope.yaml").write_text(json.dumps(scope), encoding="utf-8")
        entries = [{"id": i, "questions": self.phrasings[i], "answer": f"Answer number {n} of this help desk."}
                   for n, i in enumerate(i for d in pair for i in self.domains[d])]
        (folder / "faq" / "entries.yaml").write_text(json.dumps(entries, ensure_ascii=False), encoding="utf-8")
        return folder


def run(shared: Path, embedder, workdir: Path, pairs: int | None = None, per_intent: int | None = None,
        phrasings: int = 10, fit_rows: int = 10, log=print) -> dict:
    from bot.knowledge import load_knowledge
    from bot.routing.head import load_head

    data = Data(shared, phrasings, fit_rows, per_intent)
    every = all_pairs(data.domains)
    chosen = pick_pairs(every, pairs)
    test_texts, fit_texts = [t for t, _ in data.test], [t for t, _ in data.fit]
    baseline_fit: dict[tuple, dict] = {}
    results: dict[str, dict] = {}
    for pair in every:  # baselines on every pair's fit rows: the thresholds of the chosen pairs need them
        kb = load_knowledge(data.write_kb(pair, workdir / "baselines"))
        systems = {"bm25": BM25(kb.chunks), "nn": NearestNeighbour(kb.chunks, embedder)}
        baseline_fit[pair] = {name: s.rank(fit_texts) for name, s in systems.items()}
        if pair in chosen:
            results["+".join(pair)] = {"_rows": {name: s.rank(test_texts) for name, s in systems.items()}}
    fit_domain = [data.domain_of[i] if i else None for _, i in data.fit]
    for n, pair in enumerate(chosen, start=1):
        name = "+".join(pair)
        log(f"clinc {n}/{len(chosen)}: {name}")
        knowledge = data.write_kb(pair, workdir / "helpbot")
        rows, bot, _ = helpbot_rows(knowledge, test_texts, embedder)
        gold = data.gold(data.test, pair)
        entry = {"helpbot": scope_metrics(rows, gold), "head_used": bool(bot.snapshot.calibration.head)}
        for system, test_rows in results[name].pop("_rows").items():
            t = _threshold(baseline_fit, data, fit_domain, pair, system)
            entry[system] = scope_metrics(apply_threshold(test_rows, t), gold)
            entry[system]["threshold"] = round(t, 4) if np.isfinite(t) else None
        results[name] = entry
    summary = {s: {k: mean_worst({p: r[s] for p, r in results.items()}, k) for k in ("in_scope_right", "out_of_scope_recall")}
               for s in SYSTEMS}
    head = load_head()
    return {"pairs": results, "summary": summary, "pairs_run": len(chosen), "pairs_total": len(every),
            "rows": {"in_scope_per_pair": sum(g is not None for g in data.gold(data.test, chosen[0])) if chosen else 0,
                     "test": len(data.test), "phrasings_per_entry": phrasings, "baseline_fit_rows": len(data.fit)},
            "router_head": head_note(head),
            "baseline_rule": "answer outright iff top score >= t; t fitted per pair on the pairs of other domains, on "
                             "train rows that are no entry's phrasing + oos_train, rows of the pair's domains left out; "
                             "maximises the mean of in-scope right and out-of-scope declined"}


def _threshold(baseline_fit, data, fit_domain, pair, system) -> float:
    scores, right, in_scope = [], [], []
    for other, by_system in baseline_fit.items():
        if set(other) & set(pair):
            continue
        gold = data.gold(data.fit, other)
        for row, g, dom in zip(by_system[system], gold, fit_domain):
            if dom in pair:
                continue  # no row of the tested pair's domains
            scores.append(row.score)
            right.append(g is not None and row.top == g)
            in_scope.append(g is not None)
    return fit_threshold(scores, right, in_scope, rule="balanced")


def head_note(head) -> dict:
    """Whether the shipped router head saw CLINC150 rows (and which domains) when it was trained."""
    if head is None:
        return {"shipped": False, "note": "no router head shipped: nothing was trained on CLINC150"}
    info = dict(head.info)
    sources = str(info.get("sources", ""))
    domains = info.get("clinc_domains") or info.get("domains")
    saw = "clinc150" in sources.lower() or bool(domains)
    note = ("the shipped head was trained on CLINC150 train-side rows"
            + (f" of domains {domains}" if domains else " (its info lists no domains: assume all ten)")
            + ": the pairs are not unseen by it; val rows never were in its training") if saw else \
        "the shipped head's training sources list no CLINC150 rows"
    return {"shipped": True, "saw_clinc150": saw, "trained": info.get("trained"), "sources": sources, "note": note}
