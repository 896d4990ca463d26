"""The sample knowledge's labelled set (evals/sample.jsonl) through `helpbot eval`'s path, beside the
baselines on the same cases.

Compared on: cases that name a `source` (must be answered outright with it: "in-scope right") and
cases that expect only `unknown`, `refuse` or `block` (must not be answered outright: "declined").
Smalltalk cases need routes a retrieval baseline does not have and are left out of the comparison
(helpbot's full `helpbot eval` accuracy is reported too). The baselines' threshold: 5 folds by case
position (n % 5), each fitted on the other four (rule `balanced`).
"""

from __future__ import annotations

from pathlib import Path

from benchmarks.answers.core import baselines, helpbot_rows, scope_metrics

DECLINE = {"unknown", "refuse", "block"}


def run(cases_path: Path, knowledge: Path, embedder, log=print) -> dict:
    from bot.core.evaluate import load_cases
    from bot.knowledge import load_knowledge

    cases = load_cases(cases_path)
    log(f"sample: {len(cases)} cases")
    rows, _, summary = helpbot_rows(knowledge, [], embedder, cases=cases)
    keep = [n for n, c in enumerate(cases) if c.source or set(c.expect) <= DECLINE]
    gold = [cases[n].source for n in keep]
    texts = [cases[n].text for n in keep]
    out = {"cases": len(cases), "compared": len(keep),
           "helpbot_eval": {"accuracy": summary["accuracy"], "passed": summary["passed"]},
           "helpbot": scope_metrics([rows[n] for n in keep], gold)}
    kb = load_knowledge(knowledge)
    for name, ranked in baselines(kb.chunks, embedder, texts, gold).items():
        out[name] = scope_metrics(ranked, gold)
    out["baseline_rule"] = "answer outright iff top score >= t; t fitted on the other 4 of 5 folds (n % 5), balanced"
    return out
