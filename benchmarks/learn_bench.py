"""How long "Save as FAQ" takes to write `faq/learned.yaml` as the file grows (issue 17).

Slack wants a modal's answer within 3 s, and the save (check, temporary file, validate, rename)
runs before that answer so a refusal shows in the modal. Reload time is not included (it runs
after the answer; see reload_bench.py).

    python benchmarks/learn_bench.py --entries 10 100 500 --saves 20
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.handoff.learn import HEADER, LEARNED, LearnedEntry, LearnedFaq, entry_yaml  # noqa: E402
from bot.knowledge.loader import load_knowledge  # noqa: E402

KNOWLEDGE = Path(__file__).resolve().parent.parent / "tests" / "slack" / "knowledge"


def run(entries: int, saves: int) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="learn-bench-"))
    try:
        shutil.copytree(KNOWLEDGE, folder / "k")
        text = HEADER + "\n" + "\n".join(
            entry_yaml(LearnedEntry(f"e-{i}", [f"Question number {i} about notes?"], f"Answer {i}.\nSecond line."), "bench")
            for i in range(entries))
        (folder / "k" / LEARNED).write_text(text, encoding="utf-8")
        bot = SimpleNamespace(knowledge_dir=folder / "k", snapshot=SimpleNamespace(kb=load_knowledge(folder / "k")))
        faq = LearnedFaq(bot)  # a fresh process: the first save parses the file it finds
        times = []
        for i in range(saves):
            started = time.perf_counter()
            faq.save(LearnedEntry(f"x-{i}", [f"Another question {i}?"], "An answer."), "bench")
            times.append((time.perf_counter() - started) * 1000)
        first, rest = times[0], sorted(times[1:]) or [times[0]]
        return {"entries": entries, "first_ms": first, "p50_ms": rest[len(rest) // 2], "max_ms": rest[-1],
                "bytes": (folder / "k" / LEARNED).stat().st_size}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, nargs="+", default=[10, 100, 500])
    parser.add_argument("--saves", type=int, default=20)
    args = parser.parse_args()
    print("| entries in learned.yaml | file | first save (parses it) | later saves p50 | max |")
    print("|---:|---:|---:|---:|---:|")
    for n in args.entries:
        r = run(n, args.saves)
        print(f"| {r['entries']} | {r['bytes'] / 1024:.0f} KiB | {r['first_ms']:.0f} ms | {r['p50_ms']:.0f} ms | {r['max_ms']:.0f} ms |")


if __name__ == "__main__":
    main()
