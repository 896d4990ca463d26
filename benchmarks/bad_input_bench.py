"""Bad input and scale (issue 14): big pages and folders through `helpbot index`, and search at 100k chunks.

    python benchmarks/bad_input_bench.py [--cases page-3mb,headings-5000,sections-20000] [--search] [--json out.json]

Each case writes a generated knowledge folder (one FAQ entry + docs; no text from ../shared) and runs
`python -m bot index --progress --knowledge DIR` in a fresh process with an empty HELPBOT_HOME, so the
figures include the model load, the knowledge scan, embedding every section and the calibration.
Measured: exit status, wall and CPU time, peak RSS of that process (`wait4`'s ru_maxrss), the last lines it
printed. Sections are generated words, all distinct (nothing is cached): ~250 characters each in the
page cases, ~110 in the folder case (short sections, so 20,000 of them embed in minutes on 2 cores).

- page-3mb: one 3 MB page (must be refused, naming the file and the 2,000,000-byte limit);
- headings-5000: one page with 5,000 `## ` headings;
- sections-20000: 200 pages of 100 sections each.

`--search`: the router's scoring of one message at 100,000 doc chunks (`Router.decide`: vectors,
centroids, keyword term, ranking; the message is already embedded) and the raw vector search
(`SearchIndex.chunk_scores`), p50 over 50 random unit vectors; goal <= 20 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks import machine  # noqa: E402

WORDS = ("account invoice member project task board export import report setting team role permission "
         "calendar reminder label filter archive comment upload download billing plan payment card "
         "password login email notification mobile desktop browser sync backup restore schedule").split()
CASES = ("page-3mb", "headings-5000", "sections-20000")


def section_text(rng: np.random.Generator, n: int, size: int = 36) -> str:
    words = rng.choice(WORDS, size=size)
    return f"Step {n}: " + " ".join(words) + f" (ref {n})."


def write_case(case: str, root: Path) -> Path:
    rng = np.random.default_rng(7)
    (root / "faq").mkdir(parents=True)
    (root / "docs").mkdir()
    (root / "scope.yaml").write_text("service: Bench\ndescription: A generated service for the bad-input benchmark.\n")
    (root / "faq" / "main.yaml").write_text("- id: start\n  questions:\n    - How do I start?\n  answer: Open the app.\n")

    def page(title: str, first: int, count: int, size: int = 36) -> str:
        return f"# {title}\n\n" + "".join(f"## Topic {n}\n\n{section_text(rng, n, size)}\n\n"
                                         for n in range(first, first + count))

    if case == "page-3mb":
        body = page("Huge", 0, 5000)
        (root / "docs" / "huge.md").write_text(body + "filler " * ((3_000_000 - len(body)) // 7 + 1))
    elif case == "headings-5000":
        (root / "docs" / "api.md").write_text(page("API reference", 0, 5000))
    elif case == "sections-20000":
        for p in range(200):
            (root / "docs" / f"page-{p:03d}.md").write_text(page(f"Page {p}", p * 100, 100, size=14))
    else:
        raise SystemExit(f"unknown case {case!r}; choose from {', '.join(CASES)}")
    return root


def run_index(knowledge: Path, home: Path) -> dict:
    env = {**os.environ, "HELPBOT_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "bot", "index", "--progress", "--knowledge", str(knowledge)],
                            cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return {"exit": proc.returncode, "seconds": round(time.perf_counter() - started, 1),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 1), "peak_rss_mb": round(usage.ru_maxrss / 1024),
            "output": out.strip().splitlines()[-6:]}


def bench_search(n_chunks: int = 100_000, dim: int = 384, queries: int = 50) -> dict:
    from bot.knowledge import Chunk
    from bot.routing.calibrate import Calibration
    from bot.routing.router import Router
    from bot.search.index import SearchIndex

    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((n_chunks, dim)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    chunks = [Chunk(f"docs/p{i // 100}.md#t{i}", "doc", f"Page {i // 100}: topic {i}", None, section_text(rng, i))
              for i in range(n_chunks)]
    t0 = time.perf_counter()
    index = SearchIndex.from_vectors(chunks, vectors)
    router = Router(index, Calibration(beta=0.05))
    build_s = time.perf_counter() - t0
    qv = rng.standard_normal((queries, dim)).astype(np.float32)
    qv /= np.linalg.norm(qv, axis=1, keepdims=True)
    text = "how do I export a report to my calendar"

    def p50(fn) -> float:
        times = []
        for q in qv:
            t = time.perf_counter()
            fn(q)
            times.append((time.perf_counter() - t) * 1000)
        return round(float(np.median(times)), 2)

    return {"chunks": n_chunks, "build_s": round(build_s, 1), "vector_search_p50_ms": p50(index.chunk_scores),
            "router_decide_p50_ms": p50(lambda q: router.decide(text, q))}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--search", action="store_true", help="also time search at 100,000 chunks")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    report: dict = {"machine": machine.describe("torch"), "cases": {}}
    for case in [c for c in args.cases.split(",") if c]:
        with tempfile.TemporaryDirectory(prefix="helpbot-bad-input-") as tmp:
            knowledge = write_case(case, Path(tmp) / "knowledge")
            size = sum(p.stat().st_size for p in knowledge.rglob("*") if p.is_file())
            result = run_index(knowledge, Path(tmp) / "home")
        result["knowledge_bytes"] = size
        report["cases"][case] = result
        print(f"{case}: exit {result['exit']}, {result['seconds']} s wall, {result['cpu_s']} s CPU, "
              f"peak RSS {result['peak_rss_mb']} MB, {size / 1e6:.1f} MB of knowledge", flush=True)
        print("  " + "\n  ".join(result["output"]), flush=True)
    if args.search:
        report["search"] = bench_search()
        print(f"search at 100k chunks: {report['search']}")
    print(f"machine: {report['machine']}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
