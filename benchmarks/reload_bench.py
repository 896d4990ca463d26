"""Knowledge reload timings: the sample knowledge base and a synthetic 10,000-chunk one.

For each: the first build (everything embedded), a reload with nothing changed, a dry run and then
the reload of one changed file, a reload of another changed file, and a reload with every chunk
changed. During the last, a question
is asked every 100 ms to show that answers keep flowing (from the old snapshot) while it runs.

    PYTHONPATH=. python benchmarks/reload_bench.py [--chunks 10000] [--no-synthetic] [--no-everything] [--work DIR] [--json out.json]

Everything runs in a temporary directory (or `--work DIR`, kept: a rerun there finds the index's
vector cache, so its "first build" embeds nothing and only the reload steps are comparable); the
synthetic text is generated here (no data sets).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.config import load_settings  # noqa: E402
from bot.messages import Message  # noqa: E402
from bot.ops.reload import reload_knowledge  # noqa: E402
from bot.core.pipeline import HelpBot  # noqa: E402

FEATURES = "board timeline calendar sprint label filter report template automation webhook export import comment checklist milestone portfolio dashboard invoice workspace guest".split()
ACTIONS = "create rename archive share duplicate move delete restore pin colour assign schedule lock sort group".split()
PLACES = "in the sidebar|from the top bar|in Settings|on the mobile app|from the project menu|with a keyboard shortcut|in the admin console|from the card view".split("|")
FAQ_PER_FILE, SECTIONS_PER_PAGE = 40, 80


def _sentence(rng: random.Random, salt: str) -> str:
    f, a, p = rng.choice(FEATURES), rng.choice(ACTIONS), rng.choice(PLACES)
    return f"To {a} a {f}, open it {p} and choose {a.capitalize()} {f} ({salt}{rng.randint(1, 999)})."


def write_synthetic(root: Path, chunks: int, salt: str = "v1", seed: int = 1) -> None:
    """About 20% FAQ entries (two phrasings each) and 80% doc sections, `chunks` in all."""
    rng = random.Random(seed)
    shutil.rmtree(root, ignore_errors=True)
    (root / "faq").mkdir(parents=True)
    (root / "docs").mkdir()
    (root / "scope.yaml").write_text("service: Synthetic\ndescription: A generated help centre for benchmarks.\n", encoding="utf-8")
    n_faq = chunks // 5
    for f in range(0, n_faq, FAQ_PER_FILE):
        lines = []
        for i in range(f, min(n_faq, f + FAQ_PER_FILE)):
            feat, act = FEATURES[i % len(FEATURES)], ACTIONS[(i // len(FEATURES)) % len(ACTIONS)]
            lines += [
                f"- id: faq-{i}",
                "  questions:",
                f"    - How do I {act} a {feat} number {i}?",
                f"    - Can I {act} {feat} {i} {rng.choice(PLACES)}?",
                f"  answer: {_sentence(rng, salt)} {_sentence(rng, salt)}",
            ]
        (root / "faq" / f"faq-{f // FAQ_PER_FILE:03d}.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    n_doc = chunks - n_faq
    for p in range(0, n_doc, SECTIONS_PER_PAGE):
        parts = [f"# Guide {p // SECTIONS_PER_PAGE}\n"]
        for s in range(p, min(n_doc, p + SECTIONS_PER_PAGE)):
            parts.append(f"## {FEATURES[s % len(FEATURES)].title()} topic {s}\n\n{_sentence(rng, salt)} {_sentence(rng, salt)}\n")
        (root / "docs" / f"guide-{p // SECTIONS_PER_PAGE:03d}.md").write_text("\n".join(parts), encoding="utf-8")


def change_one_file(root: Path, which: int = 0) -> None:
    """Edit the first section of one doc page (one chunk, one text to embed)."""
    page = sorted((root / "docs").rglob("*.md"))[which]
    text = page.read_text(encoding="utf-8")
    start = text.index("\n## ")
    body = text.index("\n\n", start) + 2
    page.write_text(text[:body] + "Updated this week. " + text[body:], encoding="utf-8")


def change_every_file(root: Path, synthetic: bool, chunks: int) -> None:
    """Change every chunk, keeping the ids: every FAQ phrasing and answer, every doc section."""
    if synthetic:
        write_synthetic(root, chunks, salt="v2", seed=2)
        return
    for path in (root / "faq").glob("*.yaml"):
        entries = yaml.safe_load(path.read_text(encoding="utf-8"))
        for entry in entries:
            entry["questions"] = [f"Please tell me, {q}" for q in entry["questions"]]
            entry["answer"] = entry["answer"] + " (Revised.)"
        path.write_text(yaml.safe_dump(entries, sort_keys=False, allow_unicode=True), encoding="utf-8")
    for path in (root / "docs").rglob("*.md"):
        text = re.sub(r"\n(?=#{2,6} )", "\nRevised this year.\n\n", path.read_text(encoding="utf-8"))
        path.write_text(text + "\nRevised this year.\n", encoding="utf-8")


async def _reload_while_asking(bot, question: str) -> tuple[dict, list[float]]:
    latencies: list[float] = []
    task = asyncio.create_task(reload_knowledge(bot, who="bench"))
    while not task.done():
        t0 = time.perf_counter()
        await bot.handle(Message(question, platform="bench"))
        latencies.append((time.perf_counter() - t0) * 1000)
        await asyncio.sleep(0.1)
    return (await task), latencies


def _row(kb: str, step: str, result, chunks: int, latencies: list[float] | None = None, cpu: float | None = None) -> dict:
    row = {
        "kb": kb,
        "step": step,
        "chunks": chunks,
        "seconds": round(result.duration_ms / 1000, 2),
        "cpu_seconds": round(cpu, 2) if cpu is not None else None,  # the process's CPU time over the step (all threads)
        "embedded": result.embedded_texts,
        "reused": result.reused_texts,
        "ok": result.ok,
    }
    if latencies:
        row["questions_during"] = len(latencies)
        row["question_ms_p50"] = round(statistics.median(latencies), 1)
        row["question_ms_max"] = round(max(latencies), 1)
    return row


def bench_kb(name: str, root: Path, home: Path, synthetic: bool, chunks: int, everything: bool = True) -> list[dict]:
    settings = load_settings(env={"HELPBOT_HOME": str(home)})
    t0 = time.perf_counter()
    bot = HelpBot(settings, root)
    n = len(bot.snapshot.kb.chunks)
    first = {"kb": name, "step": "first build", "chunks": n, "seconds": round(time.perf_counter() - t0, 2),
             "embedded": bot.snapshot.stats.embedded_texts, "reused": bot.snapshot.stats.reused_texts, "ok": True}
    rows = [first]
    question = bot.snapshot.kb.chunks[0].embed_texts[0]

    async def steps():
        idle = []
        for _ in range(10):
            t1 = time.perf_counter()
            await bot.handle(Message(question, platform="bench"))
            idle.append((time.perf_counter() - t1) * 1000)
        rows[0].update(questions_during=0, question_ms_p50=round(statistics.median(idle), 1), question_ms_max=round(max(idle), 1))
        async def step(label: str, dry_run: bool = False):
            cpu = time.process_time()
            result = await reload_knowledge(bot, who="bench", dry_run=dry_run)
            rows.append(_row(name, label, result, n, cpu=time.process_time() - cpu))

        await step("nothing changed")
        change_one_file(root, 0)
        await step("one file changed: dry run", dry_run=True)
        await step("same change: reload after the dry run")
        change_one_file(root, 1)
        await step("one file changed: reload")
        if not everything:
            return
        change_every_file(root, synthetic, chunks)
        result, latencies = await _reload_while_asking(bot, question)
        rows.append(_row(name, "everything changed", result, len(bot.snapshot.kb.chunks), latencies))

    asyncio.run(steps())
    for row in rows:
        print(json.dumps(row), file=sys.stderr, flush=True)
    return rows


def markdown(rows: list[dict]) -> str:
    lines = [
        "| knowledge | chunks | step | seconds | CPU s | texts embedded | reused | questions answered during (p50 / max ms) |",
        "|---|---:|---|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        during = ""
        if r.get("questions_during"):
            during = f"{r['questions_during']} ({r['question_ms_p50']:.0f} / {r['question_ms_max']:.0f})"
        elif "question_ms_p50" in r:
            during = f"idle, after the build: ({r['question_ms_p50']:.0f} / {r['question_ms_max']:.0f})"
        cpu = "" if r.get("cpu_seconds") is None else f"{r['cpu_seconds']:.2f}"
        lines.append(f"| {r['kb']} | {r['chunks']:,} | {r['step']} | {r['seconds']:.2f} | {cpu} | {r['embedded']:,} | {r['reused']:,} | {during} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--no-synthetic", action="store_true")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--no-everything", action="store_true", help="skip the last step (every chunk changed: re-embeds everything)")
    parser.add_argument("--work", type=Path, default=None, help="work here and keep it (the vector cache outlives the run)")
    args = parser.parse_args()
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="reload-bench-") as tmp:
        tmp = Path(tmp)
        if args.work is not None:
            tmp = args.work.resolve()
            tmp.mkdir(parents=True, exist_ok=True)
            shutil.rmtree(tmp / "sample", ignore_errors=True)
        sample = tmp / "sample"
        shutil.copytree(REPO / "knowledge", sample)
        rows += bench_kb("sample", sample, tmp / "home-sample", False, 0, not args.no_everything)
        if not args.no_synthetic:
            synthetic = tmp / "synthetic"
            write_synthetic(synthetic, args.chunks)
            rows += bench_kb("synthetic", synthetic, tmp / "home-synthetic", True, args.chunks, not args.no_everything)
    print(markdown(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
