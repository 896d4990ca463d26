"""The honest protocol (issue 14): helpbot beside plain BM25 and plain MiniLM nearest neighbour.

    python benchmarks/answers_eval.py [--quick] [--pairs N] [--only doc2dial,clinc,sample] [--json out.json]

One harness, three protocols, each system on the same chunks and questions:

- doc2dial: `../shared/data/doc2dial_dev`, one knowledge folder per service made only of its help
  pages; right section top-1 / top-3, share answered outright, precision when answering outright
  (benchmarks/answers/doc2dial.py says exactly how a gold section maps to helpbot's chunk ids).
- clinc: CLINC150 leave-one-domain-out, every pair of domains in turn the service (45 pairs; other
  domains and `oos_val` out of scope); in-scope right entry and out-of-scope recall, mean and worst
  pair (benchmarks/answers/clinc.py).
- sample: evals/sample.jsonl on the bundled knowledge, as `helpbot eval` runs it (benchmarks/answers/sample.py).

helpbot runs its production path: `HelpBot` builds the snapshot, index and per-knowledge-base
calibration, and `run_eval` answers (guard, router, composer). Baselines answer outright when their
top score clears one threshold fitted leave-one-fold-out (never on the fold they are measured on;
each protocol's module says how). Embeddings are cached per text (content hash) in memory and in
~/.cache/helpbot/embeddings/answers-<model>-<fingerprint>.npz, so a rerun embeds only new text.
Nothing from ../shared is written into the project: knowledge folders live in a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks import machine  # noqa: E402
from benchmarks.answers import clinc, doc2dial, sample  # noqa: E402
from benchmarks.answers.core import CachedEmbedder  # noqa: E402
from bot.dev import datasets as D  # noqa: E402

PROTOCOLS = ("doc2dial", "clinc", "sample")
QUICK = {"pairs": 3, "per_intent": 5, "doc_limit": 40}


def _f(value) -> str:
    return "   -  " if value is None else f"{value:6.3f}"


def format_report(report: dict) -> str:
    lines = []
    doc = report.get("doc2dial")
    if doc:
        lines += ["doc2dial, docs only (per service; mean / worst service)",
                  f"  {'system':<8} {'top1':>13} {'top3':>13} {'answered':>13} {'precision':>13}"]
        for name, s in doc["summary"].items():
            cells = [f"{_f(s[k]['mean'])}/{_f(s[k]['worst'])}" for k in ("top1", "top3", "answered", "precision")]
            lines.append(f"  {name:<8} " + " ".join(f"{c:>13}" for c in cells))
        for service, per in doc["services"].items():
            lines.append(f"  {service}: " + "; ".join(
                f"{n} {_f(per[n]['top1'])} {_f(per[n]['top3'])} {_f(per[n]['answered'])} {_f(per[n]['precision'])}"
                for n in doc2dial.SYSTEMS) + f" (helpbot shows gold among its sources: {_f(per['helpbot']['shown3'])};"
                f" gold not indexed: {per['gold_not_indexed']})")
    cl = report.get("clinc")
    if cl:
        lines += ["", f"CLINC150 leave-one-domain-out, {cl['pairs_run']} of {cl['pairs_total']} pairs (mean / worst pair)",
                  f"  {'system':<8} {'in-scope right':>30} {'out-of-scope recall':>30}"]
        for name, s in cl["summary"].items():
            cells = [f"{_f(s[k]['mean'])}/{_f(s[k]['worst'])} {s[k]['worst_fold'] or ''}"
                     for k in ("in_scope_right", "out_of_scope_recall")]
            lines.append(f"  {name:<8} " + " ".join(f"{c:>30}" for c in cells))
        lines.append(f"  router head: {cl['router_head']['note']}")
    sm = report.get("sample")
    if sm:
        lines += ["", f"sample labelled set: helpbot eval accuracy {sm['helpbot_eval']['accuracy']:.3f} "
                  f"({sm['helpbot_eval']['passed']}/{sm['cases']}); {sm['compared']} cases compared",
                  f"  {'system':<8} {'in-scope right':>15} {'declined':>10}"]
        for name in ("helpbot", "bm25", "nn"):
            lines.append(f"  {name:<8} {_f(sm[name]['in_scope_right']):>15} {_f(sm[name]['out_of_scope_recall']):>10}")
    lines += ["", f"machine: {report['machine']}; {report['seconds']:.0f} s, {report['texts_embedded']} texts embedded"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=D.default_shared(), help="the dev data folder (../shared/data)")
    parser.add_argument("--quick", action="store_true", help=f"a fast subset: {QUICK}")
    parser.add_argument("--pairs", type=int, default=None, help="CLINC pairs to run, spread over the 45 (default all)")
    parser.add_argument("--only", default=",".join(PROTOCOLS), help="comma-separated protocols to run")
    parser.add_argument("--phrasings", type=int, default=10, help="CLINC train phrasings per FAQ entry")
    parser.add_argument("--json", type=Path, default=None, help="write the full report here")
    parser.add_argument("--model", default=None, help="[embedding] model to measure (default: helpbot's default)")
    parser.add_argument("--no-disk-cache", action="store_true", help="do not read or write the embedding cache file")
    args = parser.parse_args(argv)
    only = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = sorted(set(only) - set(PROTOCOLS))
    if unknown:
        raise SystemExit(f"--only: unknown protocol(s) {unknown}; choose from {', '.join(PROTOCOLS)}")
    needs_shared = {"doc2dial": args.shared / "doc2dial_dev", "clinc": args.shared / "clinc150"}
    missing = [str(path) for p, path in needs_shared.items() if p in only and not path.is_dir()]
    if missing:
        raise SystemExit(f"{', '.join(missing)} not found: pass --shared DIR (the dev data folder) or drop it from --only")
    pairs = args.pairs or (QUICK["pairs"] if args.quick else None)

    from bot.search.embeddings import get_embedder

    started = time.perf_counter()
    real = get_embedder(args.model) if args.model else get_embedder()
    ident = real.identity
    cache = None if args.no_disk_cache else D.cache_dir() / f"answers-{ident.name.replace('/', '_')}-{ident.fingerprint}.npz"
    embedder = CachedEmbedder(real, cache)
    log = lambda text: print(text, file=sys.stderr, flush=True)  # noqa: E731
    report: dict = {"command": "python benchmarks/answers_eval.py " + " ".join(argv if argv is not None else sys.argv[1:])}
    with tempfile.TemporaryDirectory(prefix="helpbot-answers-") as tmp:
        work = Path(tmp)
        try:
            if "doc2dial" in only:
                report["doc2dial"] = doc2dial.run(args.shared / "doc2dial_dev", embedder, work / "doc2dial",
                                                  QUICK["doc_limit"] if args.quick else None, log)
                embedder.save()
            if "clinc" in only:
                report["clinc"] = clinc.run(args.shared, embedder, work / "clinc", pairs,
                                            QUICK["per_intent"] if args.quick else None, args.phrasings, log=log)
                embedder.save()
            if "sample" in only:
                report["sample"] = sample.run(REPO / "evals" / "sample.jsonl", REPO / "knowledge", embedder, log)
        finally:
            embedder.save()
    report.update(seconds=round(time.perf_counter() - started, 1), texts_embedded=embedder.embedded,
                  machine=machine.describe("torch"), quick=args.quick)
    print(format_report(report))
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
