"""`helpbot eval`: run labelled cases through the real pipeline (batched) and summarise.

Case line: {"id", "text", "expect": route | [routes], "source"?: id that must be cited}.
Result line: {"id", "route", "source", "sources", "answer", "latency_ms", "pass", ...}.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.errors import HelpbotError
from bot.messages import ROUTES, Message


CASE_KEYS = {"id", "text", "expect", "source", "conversation"}


@dataclass
class Case:
    id: str
    text: str
    expect: list[str]
    source: str | None = None
    conversation: str | None = None


MAX_CASE_ERRORS_SHOWN = 50


def _case_problem(raw) -> str | None:
    """What is wrong with one parsed case line, or None."""
    if not isinstance(raw, dict):
        return "each line must be a JSON object with \"text\" and \"expect\""
    unknown_keys = sorted(set(raw) - CASE_KEYS)
    if unknown_keys:
        return f"unknown key(s) {unknown_keys} (known: {', '.join(sorted(CASE_KEYS))})"
    if not isinstance(raw.get("text"), str):
        return '"text" must be a string'
    if "id" in raw and (isinstance(raw["id"], bool) or not isinstance(raw["id"], (str, int)) or str(raw["id"]) == ""):
        return '"id" must be a non-empty string or a number'
    expect = raw.get("expect")
    if isinstance(expect, str):
        expect = [expect]
    if not isinstance(expect, list) or not expect or not all(isinstance(e, str) for e in expect):
        return f'"expect" must be a route or a non-empty list of routes ({", ".join(ROUTES)})'
    unknown = [e for e in expect if e not in ROUTES]
    if unknown:
        return f"unknown route(s) {unknown} (routes: {', '.join(ROUTES)})"
    for key in ("source", "conversation"):
        if raw.get(key) is not None and (not isinstance(raw[key], str) or not raw[key]):
            return f'"{key}" must be a non-empty string'
    return None


def load_cases(path: str | Path) -> list[Case]:
    """Read JSON-lines cases. Lines split on "\n" only: U+2028 and friends are valid inside JSON strings.

    Every bad line is reported with its line number, and duplicate ids are refused (cases that share an
    id would otherwise be chained as one conversation; use "conversation" for that)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise HelpbotError(f"eval cases file {path} not found") from None
    except IsADirectoryError:
        raise HelpbotError(f"{path} is a folder: pass a JSON-lines file of eval cases") from None
    except OSError as exc:
        raise HelpbotError(f"cannot read eval cases file {path}: {exc.strerror}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise HelpbotError(f"{path}:{line}: not UTF-8 text; eval cases are JSON lines") from None
    cases: list[Case] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    for n, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"{path}:{n}: invalid JSON ({exc.msg} at column {exc.colno})")
            continue
        except RecursionError:
            errors.append(f"{path}:{n}: invalid JSON (nested too deeply)")
            continue
        problem = _case_problem(raw)
        raw_id = raw.get("id", n) if isinstance(raw, dict) else n
        case_id = str(raw_id) if isinstance(raw_id, (str, int)) else f"line {n}"
        if case_id in seen:  # checked for bad lines too, so a fix does not reveal a new error
            problem = (f"duplicate id {case_id!r} (first on line {seen[case_id]}); ids must be unique - to chain "
                       'cases as one conversation give them the same "conversation"')
        seen.setdefault(case_id, n)
        if problem:
            errors.append(f"{path}:{n}: {problem}")
            continue
        expect = raw["expect"] if isinstance(raw["expect"], list) else [raw["expect"]]
        cases.append(Case(case_id, raw["text"], expect, raw.get("source"), raw.get("conversation")))
    if errors:
        shown = errors[:MAX_CASE_ERRORS_SHOWN]
        more = len(errors) - len(shown)
        raise HelpbotError(f"{len(errors)} bad eval case line(s):\n" + "\n".join(shown)
                           + (f"\n... and {more} more" if more else ""))
    if not cases:
        raise HelpbotError(f"{path}: no eval cases found")
    return cases


def passed(case: Case, route: str, source: str | None) -> bool:
    if route not in case.expect:
        return False
    if case.source and route in ("answer", "partial"):
        return source == case.source
    return True


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else 0.0


def summarise(cases: list[Case], results: list[dict]) -> dict:
    per_expect: dict[str, list[bool]] = defaultdict(list)
    confusion: dict[str, Counter] = defaultdict(Counter)
    predicted = Counter(r["route"] for r in results)
    correct_route = Counter()
    for case, res in zip(cases, results):
        primary = case.expect[0]
        per_expect[primary].append(res["pass"])
        confusion[primary][res["route"]] += 1
        if res["route"] in case.expect:
            correct_route[res["route"]] += 1
    latencies = [r["latency_ms"] for r in results]
    routes = sorted(set(per_expect) | set(predicted))
    per_route = {}
    for route in routes:
        expected_n = sum(1 for c in cases if c.expect[0] == route)
        hits = sum(1 for c, r in zip(cases, results) if c.expect[0] == route and r["route"] in c.expect)
        precision = correct_route[route] / predicted[route] if predicted[route] else None
        per_route[route] = {
            "expected": expected_n,
            "predicted": predicted[route],
            "pass_rate": round(float(np.mean(per_expect[route])), 4) if per_expect[route] else None,
            "precision": round(precision, 4) if precision is not None else None,
            "recall": round(hits / expected_n, 4) if expected_n else None,
        }
    return {
        "cases": len(cases),
        "passed": int(sum(r["pass"] for r in results)),
        "accuracy": round(float(np.mean([r["pass"] for r in results])), 4),
        "per_route": per_route,
        "confusion": {k: dict(v) for k, v in confusion.items()},
        "latency_ms": {"p50": round(percentile(latencies, 50), 3), "p95": round(percentile(latencies, 95), 3)},
    }


def run_eval(bot, cases: list[Case]) -> tuple[list[dict], dict]:
    messages = [
        Message(c.text, platform="eval", user_id=f"eval:{c.id}", channel_id=f"eval:{c.id}", conversation_id=c.conversation or f"eval:{c.id}")
        for c in cases
    ]
    replies = bot.answer_batch(messages)
    results = []
    for case, reply in zip(cases, replies):
        results.append(
            {
                "id": case.id,
                "text": case.text,
                "expect": case.expect,
                "expect_source": case.source,
                "route": reply.route,
                "source": reply.source,
                "sources": [s.to_dict() for s in reply.sources],
                "answer": reply.answer,
                "reasons": reply.reasons,
                "scores": reply.scores,
                "versions": reply.versions,
                "latency_ms": round(reply.latency_ms, 3),
                "pass": passed(case, reply.route, reply.source),
            }
        )
    summary = summarise(cases, results)
    summary["versions"] = replies[0].versions if replies else {}
    return results, summary


def format_summary(summary: dict) -> str:
    lines = [f"cases: {summary['cases']}  passed: {summary['passed']}  accuracy: {summary['accuracy']:.3f}", ""]
    lines.append(f"{'expected':<10} {'n':>5} {'pass':>6} {'prec':>6} {'recall':>6}")
    for route, s in summary["per_route"].items():
        fmt = lambda v: f"{v:.3f}" if v is not None else "  -  "  # noqa: E731
        lines.append(f"{route:<10} {s['expected']:>5} {fmt(s['pass_rate']):>6} {fmt(s['precision']):>6} {fmt(s['recall']):>6}")
    routes = sorted({r for row in summary["confusion"].values() for r in row} | set(summary["confusion"]))
    lines += ["", "confusion (rows: expected, columns: got)", f"{'':<10}" + "".join(f"{r[:9]:>10}" for r in routes)]
    for exp in routes:
        if exp in summary["confusion"]:
            row = summary["confusion"][exp]
            lines.append(f"{exp:<10}" + "".join(f"{row.get(r, 0):>10}" for r in routes))
    lat = summary["latency_ms"]
    lines += ["", f"latency per case (batched): p50 {lat['p50']:.2f} ms  p95 {lat['p95']:.2f} ms"]
    if summary.get("versions"):
        lines.append("versions: " + ", ".join(f"{k}={v}" for k, v in summary["versions"].items()))
    return "\n".join(lines)
