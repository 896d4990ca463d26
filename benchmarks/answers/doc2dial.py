"""Documentation protocol: one knowledge folder per service of `doc2dial_dev` (docs only, no FAQ).

Each page `docs/<service>/<file>.md` is written unchanged to `<tmp>/<service>/docs/<file>.md` beside
a `scope.yaml` the harness writes (service name = the folder name, a generic description), the way a
team would bring its help pages. Questions: the users' opening questions of that service.

Gold section -> helpbot chunk id. A question's gold is `path` + `heading` (and each `alt_locations`
entry, an identical copy elsewhere). The harness finds the heading's line in the page (a line
`#`..`######` + space + the heading, exactly) and takes the chunk that helpbot's own loader made of
that file starting at that line (`Chunk.source_file == "docs/<file>.md"`, `Chunk.line == line`). By
the knowledge format that chunk's id is `docs/<file>.md#<slug of the heading>`; matching by file and
line keeps the mapping right whatever the slugs. A heading whose section has no text makes no chunk:
the question stays in the count and can never be right (`gold_not_indexed` says how many).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from benchmarks.answers.core import BM25, NearestNeighbour, apply_threshold, doc_metrics, fit_threshold, helpbot_rows, mean_worst

SYSTEMS = ("helpbot", "bm25", "nn")


def load_questions(root: Path) -> dict[str, list[dict]]:
    by_service: dict[str, list[dict]] = {}
    for line in (root / "questions.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            q = json.loads(line)
            by_service.setdefault(q["domain"], []).append(q)
    return by_service


def write_knowledge(root: Path, service: str, out: Path) -> Path:
    """`out/<service>/`: scope.yaml + the service's pages, unchanged, under docs/."""
    folder = out / service
    shutil.copytree(root / "docs" / service, folder / "docs")
    name = service.upper()
    scope = {"service": name, "description": f"Help pages of {name}: how to use its services, forms and rules."}
    (folder / "scope.yaml").write_text(json.dumps(scope), encoding="utf-8")
    return folder


def heading_lines(page: Path, heading: str) -> list[int]:
    lines = page.read_text(encoding="utf-8").replace("\r\n", "\n").split("\n")
    return [n for n, line in enumerate(lines, start=1)
            if line.startswith("#") and line.lstrip("#").startswith(" ") and len(line) - len(line.lstrip("#")) <= 6
            and line.lstrip("#").strip() == heading.strip()]


def gold_ids(question: dict, service: str, knowledge: Path, by_place: dict[tuple[str, int], str]) -> set[str]:
    """Chunk ids of the gold section and its identical copies (see the module docstring)."""
    gold: set[str] = set()
    prefix = f"docs/{service}/"
    for place in [{"path": question["path"], "heading": question["heading"]}, *question.get("alt_locations", [])]:
        if not place["path"].startswith(prefix):
            continue  # a copy in another service's pages: not in this knowledge folder
        rel = "docs/" + place["path"][len(prefix):]
        for line in heading_lines(knowledge / rel, place["heading"]):
            if (rel, line) in by_place:
                gold.add(by_place[(rel, line)])
    return gold


def run(root: Path, embedder, workdir: Path, limit: int | None = None, log=print) -> dict:
    """Per service: every system's metrics. Baselines answer outright at a threshold fitted on the
    other services' questions (leave-one-service-out; rule `precision`: the lowest score at which
    they were right >= 80% of the time, the goal's precision); with one service, on 5 folds."""
    from bot.knowledge import load_knowledge

    by_service = load_questions(root)
    services = sorted(s for s in by_service if (root / "docs" / s).is_dir())
    rows: dict[str, dict[str, list]] = {s: {} for s in services}
    gold: dict[str, list[set[str]]] = {}
    not_indexed: dict[str, int] = {}
    for service in services:
        questions = by_service[service][:limit] if limit else by_service[service]
        knowledge = write_knowledge(root, service, workdir)
        kb = load_knowledge(knowledge)
        by_place = {(c.source_file, c.line): c.id for c in kb.chunks}
        gold[service] = [gold_ids(q, service, knowledge, by_place) for q in questions]
        not_indexed[service] = sum(not g for g in gold[service])
        texts = [q["question"] for q in questions]
        log(f"doc2dial {service}: {len(kb.chunks)} sections, {len(texts)} questions")
        rows[service]["helpbot"], _, _ = helpbot_rows(knowledge, texts, embedder)
        rows[service]["bm25"] = BM25(kb.chunks).rank(texts)
        rows[service]["nn"] = NearestNeighbour(kb.chunks, embedder).rank(texts)
    thresholds = {}
    for name in ("bm25", "nn"):
        for service in services:
            thresholds[(name, service)] = _fit_apply(rows, gold, name, service, services)
    per_service = {s: {name: doc_metrics(rows[s][name], gold[s]) for name in SYSTEMS} for s in services}
    for s in services:
        per_service[s]["gold_not_indexed"] = not_indexed[s]
        per_service[s]["thresholds"] = {n: _finite(thresholds[(n, s)]) for n in ("bm25", "nn")}
    summary = {name: {key: mean_worst({s: per_service[s][name] for s in services}, key)
                      for key in ("top1", "top3", "answered", "precision")} for name in SYSTEMS}
    return {"services": per_service, "summary": summary,
            "baseline_rule": "answer outright iff top score >= t; t fitted on the other services' questions "
                             "(leave-one-service-out) as the lowest score with precision >= 0.80 there (+inf: never)"}


def _fit_apply(rows, gold, name, service, services) -> float:
    """Fit on the other services and apply to this one; with one service, 5 folds of its questions."""
    def fit(pairs):
        return fit_threshold([r.score for r, _ in pairs], [bool(r.ranking) and r.ranking[0] in g for r, g in pairs],
                             [True] * len(pairs), rule="precision")

    mine = list(zip(rows[service][name], gold[service]))
    others = [s for s in services if s != service]
    if others:
        t = fit([(r, g) for s in others for r, g in zip(rows[s][name], gold[s])])
        apply_threshold(rows[service][name], t)
        return t
    for fold in range(5):
        t = fit([p for n, p in enumerate(mine) if n % 5 != fold])
        apply_threshold([r for n, (r, _) in enumerate(mine) if n % 5 == fold], t)
    return float("nan")


def _finite(value: float) -> float | None:
    return round(value, 4) if value not in (float("inf"), float("-inf")) and value == value else None
