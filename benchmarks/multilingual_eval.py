"""Issue 19 goals: the Japanese sets, the ask path's speed and the model's cold start and memory, per model.

    python benchmarks/multilingual_eval.py [--model all-MiniLM-L6-v2 --model multilingual-e5-small] [--n 60]

- `ja_on_ja`: benchmarks/japanese/ja_on_ja.jsonl on the Japanese knowledge: right (in scope: the
  labelled entry answered outright) or declined (out of scope: not answered, not blocked); goal >= 0.90.
- `ja_on_en`: benchmarks/japanese/ja_on_en.jsonl on the bundled English knowledge: in-scope right share
  (goal >= 0.80 with the multilingual model), and with any model: wrong entries and blocks (goal 0).
- speed: `HelpBot.answer_sync` (the `ask` path, no audit) p50 over the first --n English questions of
  evals/sample.jsonl, beside a bare single `embed_batch([text])` of the same text, interleaved (goal
  ask <= 1.15x bare).
- cold start and memory: a fresh process that loads the model and embeds one text: seconds and peak RSS.

Answers go through `HelpBot.answer_batch` (the `helpbot eval` path) in a fresh HELPBOT_HOME.
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

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from benchmarks import machine  # noqa: E402

JA = REPO / "benchmarks" / "japanese"
ANSWERED = ("answer", "partial")


def _cases(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _bot(model: str, knowledge: Path, home: Path):
    from bot.config import load_settings
    from bot.core.pipeline import HelpBot
    from bot.search.embeddings import get_embedder

    settings = load_settings(env={"HELPBOT_HOME": str(home)})
    return HelpBot(settings, knowledge, embedder=get_embedder(model))


def score(cases: list[dict], replies) -> dict:
    """In-scope right, out-of-scope declined, wrong entries, blocks."""
    right = declined = wrong = blocked = inside = outside = 0
    for case, reply in zip(cases, replies):
        blocked += reply.route == "block"
        if case["expect"] == "answer":
            inside += 1
            answered = reply.route in ANSWERED
            right += answered and reply.source == case["source"]
            wrong += answered and reply.source != case["source"]
        else:
            outside += 1
            declined += reply.route not in ANSWERED and reply.route != "block"
            wrong += reply.route in ANSWERED
    n = inside + outside
    return {"cases": n, "in_scope": inside, "in_scope_right": round(right / max(inside, 1), 3),
            "out_of_scope": outside, "declined": round(declined / max(outside, 1), 3),
            "right_or_declined": round((right + declined) / max(n, 1), 3), "wrong_entry": wrong, "blocked": blocked}


def run_set(model: str, knowledge: Path, path: Path, home: Path) -> dict:
    from bot.messages import Message

    bot = _bot(model, knowledge, home)
    cases = _cases(path)
    messages = [Message(c["text"], platform="eval", user_id=f"u{i}", channel_id=f"c{i}") for i, c in enumerate(cases)]
    return score(cases, bot.answer_batch(messages))


def speed(model: str, home: Path, n: int) -> dict:
    import numpy as np

    from bot.messages import Message

    bot = _bot(model, REPO / "knowledge", home)
    texts = [c["text"] for c in _cases(REPO / "evals" / "sample.jsonl") if c["expect"] == "answer"][:n]
    ask, bare = [], []
    for i, text in enumerate(texts * 2):  # the first round warms caches; both are timed alike
        t0 = time.perf_counter()
        bot.embedder.embed_batch([text])
        t1 = time.perf_counter()
        bot.answer_sync(Message(text, platform="bench", user_id=f"s{i}", channel_id="c"), audit=False)
        t2 = time.perf_counter()
        if i >= len(texts):
            bare.append((t1 - t0) * 1000)
            ask.append((t2 - t1) * 1000)
    a, b = float(np.median(ask)), float(np.median(bare))
    return {"messages": len(ask), "ask_p50_ms": round(a, 2), "bare_single_p50_ms": round(b, 2), "ratio": round(a / b, 3)}


# Peak RSS from VmHWM (per address space): ru_maxrss survives exec on Linux and would report the parent's.
_COLD = """
import sys, time
t = time.perf_counter()
from bot.search.embeddings import get_embedder
e = get_embedder(sys.argv[1])
e.embed_batch(["How do I reset my password?"])
hwm = next(l for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(time.perf_counter() - t, int(hwm.split()[1]) / 1024)
"""


def cold(model: str) -> dict:
    out = subprocess.run([sys.executable, "-c", _COLD, model], cwd=REPO, capture_output=True, text=True, check=True)
    seconds, rss = out.stdout.split()[-2:]
    return {"load_and_first_embed_s": round(float(seconds), 2), "peak_rss_mb": round(float(rss), 1)}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", help="repeatable; default: MiniLM and multilingual-e5-small")
    parser.add_argument("--n", type=int, default=60, help="English questions timed on the ask path")
    parser.add_argument("--only", default="ja_on_ja,ja_on_en,speed,cold")
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    models = args.model or ["all-MiniLM-L6-v2", "multilingual-e5-small"]
    only = set(args.only.split(","))
    report: dict = {"machine": machine.describe("torch"), "models": {}}
    for model in models:
        row: dict = {}
        with tempfile.TemporaryDirectory(prefix="helpbot-ml-") as tmp:
            home = Path(tmp)
            if "ja_on_ja" in only:
                row["ja_on_ja"] = run_set(model, JA / "knowledge", JA / "ja_on_ja.jsonl", home)
            if "ja_on_en" in only:
                row["ja_on_en"] = run_set(model, REPO / "knowledge", JA / "ja_on_en.jsonl", home)
            if "speed" in only:
                row["speed"] = speed(model, home, args.n)
        if "cold" in only:
            row["cold"] = cold(model)
        report["models"][model] = row
        print(model, json.dumps(row), flush=True)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return report


if __name__ == "__main__":
    main()
