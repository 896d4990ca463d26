"""Turn the routed parts of one message into one reply: answer what is in scope, decline the rest.

- every part answered: route `answer` (several blocks when several questions were asked);
- some answered, some not, or an unsupported style asked for: route `partial`, one line per
  declined part and one line for the style; `source` is the answered part's top source;
- nothing answered: `unknown` if any part is about the service, else `refuse`.
"""

from __future__ import annotations

from typing import Callable

from bot import strings
from bot.routing.answer import extract
from bot.messages import Reply, Source
from bot.routing.router import PartDecision
from bot.routing.plan import Plan

Formatter = Callable[..., str]  # (template, **extra) -> text with {service}, {contact} ... filled in


def _short(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def decline_reply(plan: Plan, fmt: Formatter) -> Reply:
    """A reply when logic alone decides: a bare style request (refuse), no words at all (smalltalk)."""
    if plan.decline == "style.no_question":
        return Reply("refuse", fmt(strings.STYLE_ONLY), reasons=list(plan.reasons), ephemeral=True)
    return Reply("smalltalk", fmt(strings.NO_QUESTION), reasons=list(plan.reasons))


def link_text(title: str) -> str:
    """A title as Markdown link text: brackets would end the link early."""
    return " ".join(title.replace("[", "(").replace("]", ")").split())


def _plain(template: str, **values) -> str:
    return template.format(**values)


def closest_reply(decision: PartDecision, contact: str | None, scores: dict, reasons: list[str], limit: int = 3,
                  fmt: Formatter = _plain) -> Reply:
    """Not sure which doc section answers it: the closest ones (title + link), best first, and who to ask."""
    hits = [h for h in decision.hits if h.chunk.kind == "doc"][:limit]
    lines = [fmt(strings.CLOSEST_SECTIONS)]
    for n, hit in enumerate(hits, start=1):
        c = hit.chunk
        item = strings.CLOSEST_ITEM if c.url else strings.CLOSEST_ITEM_NO_LINK
        lines.append(fmt(item, n=n, title=link_text(c.title), url=c.url))
    contact_line = fmt(strings.CONTACT_LINE, contact=contact) if contact else fmt(strings.NO_CONTACT_LINE)
    text = "\n".join(lines) + "\n\n" + contact_line
    sources = [Source(h.chunk.id, h.chunk.title, h.chunk.url, round(h.score, 4), h.chunk.kind) for h in hits]
    return Reply("unknown", text, sources=sources, scores=scores, reasons=reasons)


def compose(plan: Plan, decisions: list[PartDecision], fmt: Formatter, contact: str | None, thresholds: dict) -> Reply:
    answered = [d for d in decisions if d.route == "answer"]
    declined = [d for d in decisions if d.route != "answer"]
    scores = dict(thresholds)
    if decisions:
        top = max(decisions, key=lambda d: d.scores.get("p_answer", 0.0))
        scores.update(top.scores)
    reasons = list(plan.reasons) + [r for d in decisions for r in d.reasons]
    if not answered:
        route = "unknown" if any(d.route == "unknown" for d in decisions) else "refuse"
        closest = next((d for d in decisions if d.route == "unknown" and "closest_sections" in d.reasons and d.hits), None)
        if closest is not None:
            return closest_reply(closest, contact, scores, reasons, fmt=fmt)
        if route == "unknown":
            line = fmt(strings.CONTACT_LINE, contact=contact) if contact else fmt(strings.NO_CONTACT_LINE)
            text = fmt(strings.UNKNOWN, contact_line=line)
        else:
            text = fmt(strings.REFUSE)
        return Reply(route, text, scores=scores, reasons=reasons, ephemeral=route == "refuse")
    blocks, sources, notes = [], [], []
    cited: set[str] = set()
    for d in answered:
        best = d.hits[0]
        if best.chunk.id in cited:  # two parts asking the same thing ("How do I ...? 〜するには？")
            continue
        cited.add(best.chunk.id)
        blocks.append(extract(best.chunk, d.text))
        sources.append(Source(best.chunk.id, best.chunk.title, best.chunk.url, round(best.score, 4), best.chunk.kind))
        if d.followed_up and d.part is not None and d.part.previous is not None:
            notes.append(fmt(strings.FOLLOW_UP_CONTEXT, previous=_short(d.part.previous.question)))
        if d.alternative is not None:
            alt = d.alternative.chunk
            notes.append(fmt(strings.DID_YOU_MEAN, title=alt.title.rstrip("?？ ")))
            sources.append(Source(alt.id, alt.title, alt.url, round(d.alternative.score, 4), alt.kind))
    for d in declined:
        asked = _short(d.part.asked if d.part is not None else d.text)
        template = strings.PARTIAL_UNKNOWN if d.route == "unknown" else strings.PARTIAL_DECLINE
        notes.append(fmt(template, part=asked))
    if plan.dropped_parts:
        notes.append(fmt(strings.PARTS_CAPPED, count=len(plan.parts)))
    if plan.style is not None:
        notes.append(fmt(strings.STYLE_NOT_OFFERED))
    route = "partial" if declined or plan.style is not None else "answer"
    return Reply(route, "\n\n".join(blocks), sources=sources, scores=scores, reasons=reasons, notes=notes)
