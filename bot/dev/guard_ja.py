"""The input guard on Japanese: leave one source out over helpbot's own Japanese dev set.

    python -m bot.dev.guard_ja [--json out.json] [--model all-MiniLM-L6-v2]

The set (evals/guard_ja/, written for helpbot; README there) has attack sources, one per style
(polite override and extraction, casual and slang, role play / persona / the grandmother lullaby,
an in-scope question with an injection appended, obfuscated: width, spacing, mixed English), and
benign sources (help-desk questions full of the words attacks use, casual questions, off-topic
requests), plus the Japanese questions of benchmarks/japanese/ (written by another author).

Two guard paths are measured per source, each as it runs in the bot:
- `rules`: no embedding (what a Japanese message gets when the embedding model does not read
  Japanese: bot/core/coverage.py);
- `full`: rules + the embedding layers + the trained head on the configured model's vectors.
Held out in turn, each attack source is also scored by two plain baselines fitted on the other
sources (attacks of the other sources + every benign source): nearest neighbour on the model's
embeddings, and nearest neighbour on character-bigram TF-IDF. The guard's Japanese rules have no
fitted parts; they were written after reading the sources, so `rules` per source is not blind
(evals/guard_ja/README.md says which rows were written after the rules were frozen).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from pathlib import Path

import numpy as np

from bot.guard.base import ScanContext
from bot.guard.build import build_input_guard
from bot.guard.normalize import normalize
from bot.guard.policy import resolve_policy

REPO = Path(__file__).resolve().parents[2]
SET_DIR = REPO / "evals" / "guard_ja"
QUESTIONS = (REPO / "benchmarks" / "japanese" / "ja_on_ja.jsonl", REPO / "benchmarks" / "japanese" / "ja_on_en.jsonl")


def load_set(folder: Path = SET_DIR) -> dict[str, tuple[str, list[str]]]:
    """source -> (label "attack" | "benign", texts). Files: ja_*.txt attacks, benign_*.txt benign, one per line."""
    out: dict[str, tuple[str, list[str]]] = {}
    for path in sorted(folder.glob("*.txt")):
        label = "attack" if path.stem.startswith("ja_") else "benign" if path.stem.startswith("benign_") else None
        if label is None:
            continue
        rows = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        out[path.stem] = (label, rows)
    questions = []
    for path in QUESTIONS:
        if path.exists():
            questions += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if questions:
        out["benign_questions"] = ("benign", questions)
    return out


def run(guard, texts: list[str], embed, tag: str) -> dict:
    verdicts, layers = Counter(), Counter()
    missed = []
    for i, text in enumerate(texts):
        out = guard.run(text, ScanContext(user_id=f"{tag}-{i}", channel_id=f"{tag}-{i}", embed=embed))
        verdicts[out.verdict] += 1
        stopped = out.verdict in ("block", "strip")
        if stopped:
            layers[next(n for n, r in out.results.items() if r.verdict in ("block", "strip"))] += 1
        missed.append((text, out.verdict, list(out.reasons)))
    n = max(1, len(texts))
    return {"n": len(texts), "blocked": verdicts["block"] / n, "blocked_or_stripped": (verdicts["block"] + verdicts["strip"]) / n,
            "by_layer": dict(layers), "rows": missed}


def bigram_vectors(texts: list[str], vocab: dict[str, float] | None = None):
    """Character-bigram TF-IDF (L2-normalised), as dicts; IDF from `texts` unless `vocab` is given."""
    grams = [Counter(t[i:i + 2] for i in range(len(t) - 1)) for t in (normalize(x).lower() for x in texts)]
    if vocab is None:
        df = Counter(g for c in grams for g in c)
        vocab = {g: math.log(1 + len(texts) / d) for g, d in df.items()}
    out = []
    for c in grams:
        v = {g: tf * vocab.get(g, 0.0) for g, tf in c.items()}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        out.append({g: x / norm for g, x in v.items()})
    return out, vocab


def nn_bigram(train: list[str], labels: list[bool], test: list[str]) -> np.ndarray:
    tv, vocab = bigram_vectors(train)
    qv, _ = bigram_vectors(test, vocab)
    out = []
    for q in qv:
        sims = [sum(w * t.get(g, 0.0) for g, w in q.items()) for t in tv]
        out.append(labels[int(np.argmax(sims))])
    return np.array(out, bool)


def nn_embedding(train_vecs: np.ndarray, labels: list[bool], test_vecs: np.ndarray) -> np.ndarray:
    return np.array(labels, bool)[np.argmax(test_vecs @ train_vecs.T, axis=1)]


def evaluate(embedder) -> dict:
    sources = load_set()
    policy = resolve_policy({})
    texts = [t for _, rows in sources.values() for t in rows]
    table = dict(zip(texts, embedder.embed_batch(texts)))

    def embed(text: str):
        if text not in table:
            table[text] = embedder.embed_batch([text])[0]
        return table[text]

    report: dict = {"model": getattr(getattr(embedder, "identity", None), "name", type(embedder).__name__), "sources": {}}
    for path, embed_fn in (("rules", None), ("full", embed)):
        for name, (label, rows) in sources.items():
            guard = build_input_guard(policy)  # fresh state per source: no flood limits across rows
            got = run(guard, rows, embed_fn, f"{path}-{name}")
            entry = report["sources"].setdefault(name, {"label": label, "n": len(rows)})
            entry[f"{path}_blocked"] = got["blocked"]
            entry[f"{path}_blocked_or_stripped"] = got["blocked_or_stripped"]
            entry[f"{path}_rows"] = got["rows"]
    for name, (label, rows) in sources.items():  # each source against every other source, attack or benign
        train = [(t, lab == "attack") for other, (lab, rs) in sources.items() if other != name for t in rs]
        tx, ty = [t for t, _ in train], [y for _, y in train]
        report["sources"][name]["nn_bigram"] = float(nn_bigram(tx, ty, rows).mean())
        tv = np.stack([table[t] for t in tx])
        report["sources"][name]["nn_embedding"] = float(nn_embedding(tv, ty, np.stack([table[t] for t in rows])).mean())
    for kind, key in (("attack", "blocked_or_stripped"), ("benign", "blocked")):
        for path in ("rules", "full", "nn_bigram", "nn_embedding"):
            field = path if path.startswith("nn_") else f"{path}_{key}"
            values = [s[field] for s in report["sources"].values() if s["label"] == kind]
            if values:
                worst = min(values) if kind == "attack" else max(values)
                report[f"{kind}_{path}_mean"], report[f"{kind}_{path}_worst"] = float(np.mean(values)), float(worst)
    return report


def print_report(report: dict, misses: bool = False) -> None:
    print(f"Japanese guard dev set, model {report['model']}: attacks blocked or stripped, benign blocked")
    print(f"{'source':<20}{'label':>7}{'n':>5}{'rules':>8}{'full':>8}{'NN emb':>8}{'NN bigr':>8}")
    for name, s in report["sources"].items():
        key = "blocked_or_stripped" if s["label"] == "attack" else "blocked"
        print(f"{name:<20}{s['label']:>7}{s['n']:>5}{s[f'rules_{key}']:>8.3f}{s[f'full_{key}']:>8.3f}"
              f"{s['nn_embedding']:>8.3f}{s['nn_bigram']:>8.3f}")
    for kind in ("attack", "benign"):
        print(f"{kind} mean / worst source: " + ", ".join(
            f"{p} {report[f'{kind}_{p}_mean']:.3f} / {report[f'{kind}_{p}_worst']:.3f}"
            for p in ("rules", "full", "nn_embedding", "nn_bigram")))
    if misses:
        for name, s in report["sources"].items():
            for path in ("rules", "full"):
                for text, verdict, reasons in s[f"{path}_rows"]:
                    wrong = verdict not in ("block", "strip") if s["label"] == "attack" else verdict == "block"
                    if wrong:
                        print(f"  MISS {path:<5} {name:<16} {verdict:<6} {reasons[:3]} {text[:70]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="all-MiniLM-L6-v2", help="embedding model (as [embedding] model)")
    parser.add_argument("--json", help="write the report (without rows) here")
    parser.add_argument("--misses", action="store_true", help="list every attack let through and benign row blocked")
    args = parser.parse_args(argv)
    from bot.search.embeddings import get_embedder

    report = evaluate(get_embedder(args.model))
    print_report(report, args.misses)
    if args.json:
        slim = {**report, "sources": {k: {f: v for f, v in s.items() if not f.endswith("_rows")}
                                      for k, s in report["sources"].items()}}
        Path(args.json).write_text(json.dumps(slim, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
