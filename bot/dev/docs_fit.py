"""Fit the doc ranking weights and the answer-outright model (bot/data/docs_model.json) from
doc2dial, and measure them on the service left out.

    python -m bot.dev.docs_fit [--data ../shared/data/doc2dial_dev] [--cache DIR] [--write [--fit-on S] [--out F]]

One knowledge folder per service (its help pages only). Rank weights: a listwise softmax over all
sections (the right section and its identical copies are the targets). Answer model: logistic
over `docs.ANSWER_FEATURES`, threshold = the lowest probability at which answers are right at
least TARGET_PRECISION of the time. Printed: for each service left out, with weights and model
fitted on the others, right section top-1 / top-3, precision when answering outright and share
answered; then the mean and the worst. `--write` stores the fit on every service.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

from bot.knowledge import load_knowledge
from bot.knowledge.markdown import slugify
from bot.routing.calibrate import fit_logistic
from bot.routing.docs import ANSWER_FEATURES, MODEL_PATH, RANK_FEATURES, DocModel, DocRanker, answer_features
from bot.search.embeddings import get_embedder
from bot.search.index import SearchIndex
from bot.search.passages import PassageIndex
from bot.search.store import cached_vectors, open_db

TARGET_PRECISION = 0.9
DEFAULT_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "doc2dial_dev"


def service_data(data: Path, service: str, embedder, cache: Path):
    """(ranker, questions, their vectors, gold section sets) for one service."""
    work = Path(tempfile.mkdtemp(prefix=f"helpbot-docs-{service}-"))
    try:
        shutil.copytree(data / "docs" / service, work / "docs")
        (work / "scope.yaml").write_text(f"service: {service}\ndescription: {service} help pages\n", encoding="utf-8")
        kb = load_knowledge(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    db = open_db(cache / f"docs_fit_{service}.sqlite")
    embed = lambda texts: cached_vectors(db, embedder, texts)[0]  # noqa: E731
    with db.conn:
        index = SearchIndex.from_vectors(kb.chunks, embed([t for c in kb.chunks for t in c.embed_texts]))
        passages = PassageIndex.build(kb.chunks, embed)
    model = DocModel([1.0] * len(RANK_FEATURES), [0.0] * (len(ANSWER_FEATURES) + 1), [0.0] * len(ANSWER_FEATURES),
                     [1.0] * len(ANSWER_FEATURES), 0.5)
    ranker = DocRanker(index, passages, model)
    rows = [json.loads(line) for line in (data / "questions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if r["domain"] == service]
    section_of = {kb.chunks[i].id: s for s, i in enumerate(passages.sections)}
    gold = []
    for r in rows:
        places = [(r["path"], r["heading"])] + [(a["path"], a["heading"]) for a in r.get("alt_locations", [])]
        ids = {f"docs/{p.split('/', 2)[2]}#{slugify(h) or 'intro'}" for p, h in places}
        gold.append({section_of[i] for i in ids if i in section_of})
    with db.conn:
        vectors = embed([r["question"] for r in rows])
    db.conn.close()
    feats = [ranker.features(v, r["question"]) for v, r in zip(vectors, rows)]
    return ranker, feats, gold


def fit_rank(feats, gold, steps: int = 600, lr: float = 0.05, l2: float = 1e-3) -> np.ndarray:
    """Listwise softmax regression (Adam): the gold sections' share of the softmax, maximised."""
    w = np.zeros(len(RANK_FEATURES))
    m, v = np.zeros_like(w), np.zeros_like(w)
    pairs = [(x.astype(np.float64), sorted(g)) for (x, _), g in zip(feats, gold) if g]
    for t in range(1, steps + 1):
        grad = np.zeros_like(w)
        for x, g in pairs:
            s = x @ w
            p = np.exp(s - s.max())
            p /= p.sum()
            pg = p[g] / p[g].sum()
            grad += x.T @ p - x[g].T @ pg
        grad = grad / len(pairs) + l2 * w
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad ** 2
        w -= lr * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
    return w


def outcomes(ranker: DocRanker, feats, gold, w: np.ndarray):
    """Per question: answer features, top-1 right, top-3 right."""
    rows, top1, top3 = [], [], []
    for (x, cosine), g in zip(feats, gold):
        scores = x @ w
        order = ranker.distinct(scores, 3)
        rows.append(answer_features(scores, x, cosine, order))
        top1.append(order[0] in g)
        top3.append(any(s in g for s in order))
    return np.array(rows), np.array(top1), np.array(top3)


def fit_answer(x: np.ndarray, right: np.ndarray) -> DocModel:
    center, scale = x.mean(0), x.std(0)
    scale[scale < 1e-6] = 1.0
    model = DocModel([], fit_logistic((x - center) / scale, right.astype(float)), center.tolist(), scale.tolist(), 1.0)
    p = model.answer_prob(x)
    for t in np.sort(np.unique(p)):
        if right[p >= t].mean() >= TARGET_PRECISION:
            model.threshold = float(t)
            break
    return model


def fit_all(parts) -> DocModel:
    w = fit_rank([f for _, feats, _ in parts for f in feats], [g for _, _, gold in parts for g in gold])
    x, right = [], []
    for ranker, feats, gold in parts:
        a, r, _ = outcomes(ranker, feats, gold, w)
        x.append(a)
        right.append(r)
    model = fit_answer(np.concatenate(x), np.concatenate(right))
    model.rank = [float(v) for v in w]
    return model


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()), help="folder for the vector caches")
    ap.add_argument("--write", action="store_true", help=f"store the fit on every service in {MODEL_PATH}")
    ap.add_argument("--fit-on", help="comma-separated services to fit the stored model on (default: all)")
    ap.add_argument("--out", type=Path, default=MODEL_PATH, help="where --write stores the model")
    args = ap.parse_args(argv)
    if not (args.data / "questions.jsonl").is_file():
        print(f"{args.data}/questions.jsonl not found: pass --data to the doc2dial_dev folder", file=sys.stderr)
        return 2
    services = sorted(p.name for p in (args.data / "docs").iterdir() if p.is_dir())
    embedder = get_embedder()
    data = {s: service_data(args.data, s, embedder, args.cache) for s in services}
    folds = []
    for held in services:
        model = fit_all([data[s] for s in services if s != held])
        ranker, feats, gold = data[held]
        x, r1, r3 = outcomes(ranker, feats, gold, np.array(model.rank))
        answered = model.answer_prob(x) >= model.threshold
        folds.append((held, r1.mean(), r3.mean(), r1[answered].mean() if answered.any() else float("nan"), answered.mean()))
        print(f"{held:>6} left out: top-1 {r1.mean():.3f}  top-3 {r3.mean():.3f}  "
              f"precision answered {folds[-1][3]:.3f}  answered {answered.mean():.3f}  (n={len(gold)})")
    figures = np.array([f[1:] for f in folds])
    print(f"  mean: top-1 {figures[:, 0].mean():.3f}  top-3 {figures[:, 1].mean():.3f}  "
          f"precision {np.nanmean(figures[:, 2]):.3f}  answered {figures[:, 3].mean():.3f}")
    print(f" worst: top-1 {figures[:, 0].min():.3f}  top-3 {figures[:, 1].min():.3f}  "
          f"precision {np.nanmin(figures[:, 2]):.3f}  answered {figures[:, 3].min():.3f}")
    if args.write:
        chosen = [s for s in args.fit_on.split(",") if s in data] if args.fit_on else services
        if not chosen:
            print(f"--fit-on names none of the services ({', '.join(services)})", file=sys.stderr)
            return 2
        model = fit_all([data[s] for s in chosen])
        model.note = (f"fitted by `python -m bot.dev.docs_fit --write` on doc2dial_dev services {', '.join(chosen)} "
                      f"({sum(len(data[s][2]) for s in chosen)} questions); answer threshold for precision "
                      f">= {TARGET_PRECISION} on them")
        out = {"rank_features": list(RANK_FEATURES), "answer_features": list(ANSWER_FEATURES),
               "rank": model.rank, "answer": model.answer, "center": model.center, "scale": model.scale,
               "threshold": model.threshold, "note": model.note}
        args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
