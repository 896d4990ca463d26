"""Usage statistics from the audit log: routes, latency, feedback, blocks, LLM share, coverage gaps."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict

import numpy as np

from bot.ops.gaps import cluster_questions

ANSWERED = ("answer", "partial")
UNANSWERED = ("unknown", "refuse")
FEEDBACK_ORDER = ("helpful", "not_helpful", "should_have_answered")
MAX_GAP_QUESTIONS = 2000
CRISIS = "harm.self_harm"  # crisis replies (support resources): counted apart from abuse blocks
DELIVERY_FAILED = "delivery.failed"  # an audit reason the adapters add when an answer could not be posted


def since_iso(days: float, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.timezone.utc)
    return (now - dt.timedelta(days=days)).isoformat(timespec="milliseconds")


def _pct(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": 0.0, "p95": 0.0, "count": 0}
    p50, p95 = np.percentile(np.asarray(values, dtype=np.float64), [50, 95])
    return {"p50": round(float(p50), 1), "p95": round(float(p95), 1), "count": len(values)}


def feedback_key(value: str) -> str:
    """'Not helpful', 'not-helpful' and 'not_helpful' count as one."""
    return "_".join((value or "").strip().lower().replace("-", " ").split()) or "unknown"


def compute_stats(db, days: float = 7, embedder=None, gap_threshold: float = 0.65, gap_limit: int = 10, now=None) -> dict:
    """Everything `helpbot stats`, the admin `stats` command and the HTML report show.

    `db` is the audit database (sqlite-utils Database). Without `embedder`, gaps are not clustered.
    """
    since = since_iso(days, now)
    rows = db.execute(
        "select ts, route, latency_ms, reasons, generated from audit where ts >= ? order by ts", [since]
    ).fetchall()
    routes: Counter = Counter()
    latency: dict[str, list[float]] = defaultdict(list)
    blocks: Counter = Counter()
    daily: dict[str, Counter] = defaultdict(Counter)
    daily_latency: dict[str, list[float]] = defaultdict(list)
    generated = undelivered = crisis = 0
    for ts, route, latency_ms, reasons, gen in rows:
        routes[route] += 1
        latency[route].append(latency_ms or 0.0)
        day = ts[:10]
        daily[day][route] += 1
        daily_latency[day].append(latency_ms or 0.0)
        if route == "block":
            codes = json.loads(reasons or "[]") or ["unspecified"]
            if CRISIS in codes:
                crisis += 1
            else:
                blocks.update(codes)
        if reasons and DELIVERY_FAILED in reasons and DELIVERY_FAILED in json.loads(reasons):
            undelivered += 1
        if gen and route in ANSWERED:
            generated += 1
    answered = sum(routes[r] for r in ANSWERED)
    feedback: Counter = Counter()
    for value, n in db.execute("select value, count(*) from feedback where ts >= ? group by value", [since]):
        feedback[feedback_key(value)] += n
    fb_total = sum(feedback.values())
    keys = list(FEEDBACK_ORDER) + sorted(set(feedback) - set(FEEDBACK_ORDER))
    top = db.execute(
        "select min(text_redacted), count(*) as n, route from audit where ts >= ? and route in ('unknown', 'refuse') "
        "and coalesce(text_redacted, '') != '' group by lower(trim(text_redacted)), route order by n desc limit ?",
        [since, MAX_GAP_QUESTIONS],
    ).fetchall()
    unanswered = [(text, n, route) for text, n, route in top]
    textless = db.execute(  # `[audit] store_text = false`: unanswered rows without text cannot be grouped
        "select count(*) from audit where ts >= ? and route in ('unknown', 'refuse') and coalesce(text_redacted, '') = ''",
        [since]).fetchone()[0]
    gaps = cluster_questions(unanswered, embedder, gap_threshold)[:gap_limit] if embedder is not None else []
    return {
        "days": days,
        "since": since,
        "total": len(rows),
        "routes": dict(routes.most_common()),
        "latency_ms": {route: _pct(values) for route, values in sorted(latency.items())},
        "latency_all_ms": _pct([v for values in latency.values() for v in values]),
        "feedback": {
            "total": fb_total,
            "counts": {k: feedback.get(k, 0) for k in keys},
            "ratios": {k: round(feedback.get(k, 0) / fb_total, 4) if fb_total else 0.0 for k in keys},
        },
        "block_reasons": dict(blocks.most_common()),
        "crisis": crisis,
        "undelivered": undelivered,
        "llm": {"generated": generated, "answered": answered, "share": round(generated / answered, 4) if answered else 0.0},
        "top_unknown": [{"text": t, "count": n} for t, n, r in unanswered if r == "unknown"][:gap_limit],
        "top_refused": [{"text": t, "count": n} for t, n, r in unanswered if r == "refuse"][:gap_limit],
        "gaps": gaps,
        "unanswered_without_text": textless,
        "daily": [
            {"day": day, "routes": dict(daily[day]), "latency_ms": _pct(daily_latency[day])} for day in sorted(daily)
        ],
        "handoffs": handoff_stats(db, since, gap_limit),
    }


def handoff_stats(db, since: str, limit: int = 10) -> dict:
    """The learning loop: "Ask a person" requests per day, how many people answered, how many
    became FAQ entries, and the questions people had to answer (not yet saved first)."""
    rows = db.execute("select ts, state, answered_at, faq_id, saved_at, question from handoffs where ts >= ? "
                      "order by ts", [since]).fetchall()
    daily: dict[str, Counter] = defaultdict(Counter)
    asked: dict[str, dict] = {}
    answered = saved = failed = 0
    for ts, state, answered_at, faq_id, saved_at, question in rows:
        daily[ts[:10]]["requested"] += 1
        failed += state == "failed"
        if answered_at:
            answered += 1
            daily[answered_at[:10]]["answered"] += 1
        if faq_id:
            saved += 1
            daily[(saved_at or ts)[:10]]["saved"] += 1
        if answered_at and question:
            item = asked.setdefault(" ".join(question.lower().split()), {"text": question, "count": 0, "faq_id": ""})
            item["count"] += 1
            item["faq_id"] = item["faq_id"] or faq_id or ""
    questions = sorted(asked.values(), key=lambda q: (bool(q["faq_id"]), -q["count"], q["text"]))
    return {
        "total": len(rows), "answered": answered, "saved": saved, "failed": failed,
        "daily": [{"day": day, **{k: daily[day].get(k, 0) for k in ("requested", "answered", "saved")}}
                  for day in sorted(daily)],
        "answered_questions": questions[:limit],
    }


def format_stats(stats: dict) -> str:
    """Plain-text summary for the terminal and chat."""
    lines = [f"Last {stats['days']:g} days: {stats['total']} messages"]
    if stats["routes"]:
        lines.append("Routes: " + ", ".join(f"{r} {n} ({n / stats['total']:.0%})" for r, n in stats["routes"].items()))
    for route, p in stats["latency_ms"].items():
        lines.append(f"  latency {route}: p50 {p['p50']:.0f} ms, p95 {p['p95']:.0f} ms ({p['count']})")
    fb = stats["feedback"]
    if fb["total"]:
        shown = ", ".join(f"{k.replace('_', ' ')} {fb['counts'][k]} ({fb['ratios'][k]:.0%})" for k in fb["counts"])
        lines.append(f"Feedback ({fb['total']}): {shown}")
    else:
        lines.append("Feedback: none yet")
    if stats["block_reasons"]:
        lines.append("Block reasons: " + ", ".join(f"{r} {n}" for r, n in stats["block_reasons"].items()))
    if stats.get("crisis"):
        lines.append(f"Crisis replies (self-harm, support resources sent; not counted as blocks): {stats['crisis']}")
    if stats.get("undelivered"):
        lines.append(f"Undelivered answers: {stats['undelivered']} (the chat platform refused or rate-limited the post; "
                     "audit reason delivery.failed, metric helpbot_delivery_failures_total)")
    llm = stats["llm"]
    lines.append(f"LLM-written answers: {llm['generated']} of {llm['answered']} ({llm['share']:.0%})")
    lines += format_handoffs(stats.get("handoffs"))
    if stats.get("unanswered_without_text"):
        lines.append(f"Coverage gaps: {stats['unanswered_without_text']} unanswered messages have no stored text "
                     "([audit] store_text = false), so they are not grouped or listed")
    if stats["gaps"]:
        lines.append("Coverage gaps (unanswered questions, grouped):")
        for g in stats["gaps"]:
            lines.append(f"  {g['size']:>4}x  {g['representative']}" + (f"  (+{g['distinct'] - 1} similar)" if g["distinct"] > 1 else ""))
    else:
        for key, label in (("top_unknown", "Top unknown"), ("top_refused", "Top refused")):
            if stats[key]:
                lines.append(f"{label}: " + "; ".join(f"{q['text']} ({q['count']})" for q in stats[key]))
    return "\n".join(lines)


def format_handoffs(handoffs: dict | None) -> list[str]:
    """The learning loop's lines in `helpbot stats` (none when nobody asked for a person)."""
    if not handoffs or not handoffs["total"]:
        return []
    lines = [f"Handoffs (Ask a person): {handoffs['total']}, answered by people {handoffs['answered']}, "
             f"became FAQ entries {handoffs['saved']}"
             + (f", could not be posted {handoffs['failed']} (see the log: is the bot in the handoff channel?)"
                if handoffs["failed"] else "")]
    if handoffs["answered_questions"]:
        lines.append("Questions people had to answer:")
        for q in handoffs["answered_questions"]:
            saved = f"saved as {q['faq_id']}" if q["faq_id"] else "not saved as FAQ yet"
            lines.append(f"  {q['count']:>4}x  {q['text']}  ({saved})")
    return lines
