"""`helpbot report`: one self-contained HTML page (inline CSS and SVG, no scripts, no network)."""

from __future__ import annotations

import datetime as dt
from html import escape

from bot.ops import svg

ROUTE_COLORS = {
    "answer": "#2e7d32",
    "partial": "#81c784",
    "smalltalk": "#90a4ae",
    "unknown": "#f9a825",
    "refuse": "#ef6c00",
    "block": "#c62828",
    "admin": "#5e35b1",
}
ROUTE_ORDER = list(ROUTE_COLORS)

CSS = """
body { font-family: system-ui, sans-serif; margin: 24px auto; max-width: 1040px; color: #222; background: #fff; }
h1 { font-size: 24px; margin-bottom: 4px; } h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #ddd; }
.muted { color: #666; font-size: 13px; }
.cards { display: flex; gap: 12px; flex-wrap: wrap; margin-top: 16px; }
.card { border: 1px solid #ddd; border-radius: 8px; padding: 10px 14px; min-width: 150px; background: #fafafa; }
.card b { display: block; font-size: 22px; }
table { border-collapse: collapse; margin-top: 8px; font-size: 14px; }
td, th { border-bottom: 1px solid #eee; padding: 4px 12px 4px 0; text-align: left; vertical-align: top; }
"""


def _card(label: str, value: str) -> str:
    return f'<div class="card"><b>{escape(value)}</b><span class="muted">{escape(label)}</span></div>'


def _table(headers: list[str], rows: list[list]) -> str:
    if not rows:
        return '<p class="muted">None in this period.</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _handoff_section(handoffs: dict | None) -> list[str]:
    """Handoffs per day, answered by people, became FAQ entries; the questions people had to answer."""
    if not handoffs:
        return []
    days = [d["day"] for d in handoffs["daily"]]
    series = {k: [d[k] for d in handoffs["daily"]] for k in ("requested", "answered", "saved")}
    return [
        "<h2>People answering</h2>",
        '<p class="muted">"Ask a person" requests, how many people answered in the handoff thread, and how many '
        'answers an admin saved as FAQ entries ("Save as FAQ").</p>',
        '<div class="cards">',
        _card("handoffs", str(handoffs["total"])),
        _card("answered by people", str(handoffs["answered"])),
        _card("became FAQ entries", str(handoffs["saved"])),
        *([_card("could not be posted", str(handoffs["failed"]))] if handoffs["failed"] else []),
        "</div>",
        svg.line_chart(days, series, {"requested": "#f9a825", "answered": "#1565c0", "saved": "#2e7d32"},
                       "Handoffs per day") if days else "",
        "<h3>Questions people had to answer</h3>",
        _table(["times", "question", "FAQ entry"],
               [[q["count"], q["text"], q["faq_id"] or "not saved yet"] for q in handoffs["answered_questions"]]),
    ]


def render_report(stats: dict, title: str = "helpbot report", now: dt.datetime | None = None) -> str:
    """The report page for `stats` from `compute_stats`."""
    now = now or dt.datetime.now(dt.timezone.utc)
    days = [d["day"] for d in stats["daily"]]
    routes = [r for r in ROUTE_ORDER if r in stats["routes"]] + sorted(set(stats["routes"]) - set(ROUTE_ORDER))
    per_day = {r: [d["routes"].get(r, 0) for d in stats["daily"]] for r in routes}
    latency = {
        "p50": [d["latency_ms"]["p50"] for d in stats["daily"]],
        "p95": [d["latency_ms"]["p95"] for d in stats["daily"]],
    }
    total = stats["total"]
    answered = stats["routes"].get("answer", 0) + stats["routes"].get("partial", 0)
    fb = stats["feedback"]
    gaps = stats["gaps"]
    lat = stats["latency_all_ms"]
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{escape(title)}</h1>",
        f'<p class="muted">Last {stats["days"]:g} days (since {escape(stats["since"][:16])} UTC), '
        f"generated {now.isoformat(timespec='minutes')}.</p>",
        '<div class="cards">',
        _card("messages", f"{total:,}"),
        _card("answered", f"{answered / total:.0%}" if total else "-"),
        _card("latency p50 / p95", f"{lat['p50']:.0f} / {lat['p95']:.0f} ms"),
        _card("rated helpful", f"{fb['ratios'].get('helpful', 0):.0%} of {fb['total']}" if fb["total"] else "no ratings"),
        _card("LLM-written answers", f"{stats['llm']['share']:.0%}"),
        _card("coverage gaps", str(len(gaps))),
        "</div>",
        "<h2>Routes over time</h2>",
        svg.stacked_bars(days, per_day, ROUTE_COLORS, "Messages per day by route"),
        "<h2>Latency</h2>",
        svg.line_chart(days, latency, {"p50": "#1565c0", "p95": "#c62828"}, "Latency per day (ms)", unit=" ms"),
        _table(
            ["route", "messages", "p50 ms", "p95 ms"],
            [[r, p["count"], f"{p['p50']:.0f}", f"{p['p95']:.0f}"] for r, p in stats["latency_ms"].items()],
        ),
        "<h2>Coverage gaps</h2>",
        '<p class="muted">Questions the bot could not answer (unknown) or declined (refused), grouped by meaning. '
        "Add FAQ entries or docs for the biggest groups.</p>",
        svg.hbars([g["representative"] for g in gaps], [g["size"] for g in gaps], "#ef6c00", "Unanswered questions by group"),
        _table(
            ["times asked", "representative question", "similar phrasings", "routes"],
            [
                [
                    g["size"],
                    g["representative"],
                    "; ".join(e for e in g["examples"] if e != g["representative"]),
                    ", ".join(f"{r} {n}" for r, n in g["routes"].items()),
                ]
                for g in gaps
            ],
        ),
        *_handoff_section(stats.get("handoffs")),
        "<h2>Feedback</h2>",
        _table(["rating", "count", "share"], [[k.replace("_", " "), fb["counts"][k], f"{fb['ratios'][k]:.0%}"] for k in fb["counts"]]),
        "<h2>Block reasons</h2>",
        _table(["reason", "count"], [[r, n] for r, n in stats["block_reasons"].items()]),
        "</body></html>",
    ]
    return "\n".join(parts)
