"""Router benchmarks on public intent data, run through the real pipeline (`helpbot eval`'s code).

    python benchmarks/clinc_eval.py [--shared ../shared/data] [--protocol clinc|banking77] [--split val]

clinc:     `banking` + `credit_cards` (clinc150/domains.json) are the service: one FAQ entry per
           intent with its first 10 `train` phrasings. Cases: the split's rows of those intents
           (must cite their entry) and every other domain's rows + `oos_<split>` (must be declined).
banking77: one FAQ entry per category with its first 5 training phrasings (rows not reserved);
           cases: the reserved rows (every fifth, never used for training the head) must cite
           their category, reserved alpaca generic requests must be declined. A stand-in for
           deployed-bot traffic (HINT3), which is not available here.

The knowledge folder and cases are generated into a temporary folder at run time: no text from
../shared is ever written into the project. Prints the `helpbot eval` summary and the two goal
figures: in-scope right entry cited, out-of-scope declined.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.dev import datasets as D  # noqa: E402

DECLINED = ["refuse", "unknown"]


def write_kb(root: Path, service: str, entries: dict[str, list[str]]) -> None:
    (root / "faq").mkdir(parents=True, exist_ok=True)
    scope = {"service": service, "description": f"Questions about {service} accounts and cards."}
    (root / "scope.yaml").write_text(json.dumps(scope), encoding="utf-8")
    faq = [
        {"id": intent, "questions": phrasings, "answer": f"(answer for {intent.replace('_', ' ')})"}
        for intent, phrasings in entries.items()
    ]
    (root / "faq" / "entries.yaml").write_text(json.dumps(faq, ensure_ascii=False), encoding="utf-8")


def clinc_protocol(shared: Path, split: str, per_entry: int = 10):
    data, domains = D.clinc_splits(shared), D.clinc_domains(shared)
    intents = [i for d in ("banking", "credit_cards") for i in domains[d]]
    entries: dict[str, list[str]] = {i: [] for i in intents}
    for text, intent in data["train"]:
        if intent in entries and len(entries[intent]) < per_entry:
            entries[intent].append(text)
    cases = [{"text": t, "expect": "answer", "source": i} for t, i in data[split] if i in intents]
    cases += [{"text": t, "expect": DECLINED} for t, i in data[split] if i not in intents]
    cases += [{"text": t, "expect": DECLINED} for t, _ in data[f"oos_{split}"]]
    return "Bank", dict(entries), cases


def banking77_protocol(shared: Path, per_entry: int = 5):
    rows = D.banking77(shared)
    entries: dict[str, list[str]] = collections.defaultdict(list)
    for n, (text, category) in enumerate(rows):
        if not D.reserved(n) and len(entries[category]) < per_entry:
            entries[category].append(text)
    cases = [{"text": t, "expect": "answer", "source": c} for n, (t, c) in enumerate(rows) if D.reserved(n)]
    generic = D.alpaca(shared)
    cases += [{"text": t, "expect": DECLINED} for n, t in enumerate(generic) if D.reserved(n)]
    return "Card bank", dict(entries), cases


def write_jsonl(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def goal_figures(results: list[dict]) -> dict:
    inscope = [r for r in results if r["expect"] == ["answer"]]
    outscope = [r for r in results if r["expect"] == DECLINED]
    right = sum(r["route"] in ("answer", "partial") and r["source"] == r["expect_source"] for r in inscope)
    # Declined: not answered. A guard block of a harmless request declines it too (counted apart).
    declined = sum(r["route"] in (*DECLINED, "block") for r in outscope)
    return {
        "in_scope": len(inscope),
        "in_scope_right_entry": round(right / max(1, len(inscope)), 4),
        "in_scope_blocked": sum(r["route"] == "block" for r in inscope),
        "out_of_scope": len(outscope),
        "out_of_scope_declined": round(declined / max(1, len(outscope)), 4),
        "out_of_scope_blocked": sum(r["route"] == "block" for r in outscope),
        "overall_accuracy": round((right + declined) / max(1, len(results)), 4),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=D.default_shared())
    parser.add_argument("--protocol", choices=("clinc", "banking77"), default="clinc")
    parser.add_argument("--split", choices=("val", "train"), default="val")
    parser.add_argument("--out", type=Path, default=None, help="write per-case results (JSON lines) here")
    args = parser.parse_args(argv)
    if not (args.shared / "clinc150").is_dir():
        raise SystemExit(f"{args.shared} has no clinc150/: pass --shared ../shared/data")
    if args.protocol == "clinc":
        service, entries, raw_cases = clinc_protocol(args.shared, args.split)
    else:
        service, entries, raw_cases = banking77_protocol(args.shared)
    with tempfile.TemporaryDirectory(prefix="helpbot-bench-") as tmp:
        root = Path(tmp)
        write_kb(root / "knowledge", service, entries)
        cases_path = root / "cases.jsonl"
        with cases_path.open("w", encoding="utf-8") as fh:
            for n, case in enumerate(raw_cases):
                fh.write(json.dumps({"id": n, **case}, ensure_ascii=False) + "\n")
        os.environ["HELPBOT_HOME"] = str(root / "home")
        from bot.config import load_settings
        from bot.core.evaluate import format_summary, load_cases, run_eval
        from bot.core.pipeline import HelpBot

        started = time.perf_counter()
        bot = HelpBot(load_settings(), root / "knowledge")
        built = time.perf_counter() - started
        results, summary = run_eval(bot, load_cases(cases_path))
    print(format_summary(summary))
    figures = goal_figures(results)
    figures.update(protocol=args.protocol, split=args.split, build_and_calibrate_s=round(built, 1))
    figures["calibration"] = {k: v for k, v in bot.snapshot.calibration.__dict__.items() if k not in ("key",)}
    print(json.dumps(figures, indent=2))
    if args.out:
        write_jsonl(args.out, results)
    return figures


if __name__ == "__main__":
    main()
