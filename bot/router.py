"""The intent router: smalltalk by rules, then scope and answer by calibrated embedding scores.

"No match" is a value (`route="refuse"` or `"unknown"` with reasons), never an exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from bot.calibrate import Calibration
from bot.index.search import Hit, SearchIndex

_SMALLTALK = {
    "greeting": re.compile(
        r"^(hi+|hello+|hey+|hiya|yo|howdy|greetings|good (morning|afternoon|evening|day)|"
        r"こんにちは|こんばんは|おはよう(ございます)?|やあ)( there)?( \w+)?[\s!.。！]*$",
        re.I,
    ),
    "thanks": re.compile(
        r"^((many )?thanks?( a lot| so much| again)?|thank you( (so|very) much)?( again)?|thx|ty|cheers|"
        r"great,? thanks?|perfect,? thanks?|ok(ay)?,? thanks?|awesome,? thanks?|ありがとう(ございます)?|どうも)"
        r"( \w+)?[\s!.。！]*$",
        re.I,
    ),
    "help": re.compile(
        r"^(help|help me|\?|what can (you|i) (do|ask)( here| you)?|how does this (bot )?work|"
        r"what do you (do|know)|who are you|what are you|what is this bot|ヘルプ|使い方)[\s?!.。？]*$",
        re.I,
    ),
}
_LEADING_GREETING = re.compile(r"^(hi+|hello+|hey+|good (morning|afternoon|evening))[\s,!.]+(?=\S)", re.I)


def smalltalk_kind(text: str) -> str | None:
    t = " ".join(text.strip().split())
    if len(t) > 60:
        return None
    for kind, pattern in _SMALLTALK.items():
        if pattern.match(t):
            return kind
    return None


def strip_greeting(text: str) -> str:
    return _LEADING_GREETING.sub("", text.strip(), count=1)


@dataclass
class PartDecision:
    text: str
    route: str  # "answer" | "unknown" | "refuse"
    hits: list[Hit] = field(default_factory=list)
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    alternative: Hit | None = None


class Router:
    def __init__(self, calibration: Calibration, top_k: int = 5, candidates: int = 20, margin: float | None = None):
        self.calibration = calibration
        self.top_k = top_k
        self.candidates = candidates
        self.margin = calibration.ambiguity_margin if margin is None or margin < 0 else margin

    def decide(self, text: str, vector: np.ndarray, index: SearchIndex) -> PartDecision:
        scores = index.chunk_scores(vector)
        hits = index.search(vector, text, k=self.top_k, candidates=self.candidates, scores=scores)
        if not hits:
            return PartDecision(text, "refuse", [], 0.0, ["kb.empty"])
        # Confidence is the cosine of the best phrasing; fusion only reorders near-ties.
        best = max(hits, key=lambda h: (h.score, h.fused))
        cal = self.calibration
        if best.score >= cal.answer_threshold:
            reasons = [f"match.{best.chunk.kind}"]
            others = [h for h in hits if h is not best and h.chunk.id != best.chunk.id]
            runner = max(others, key=lambda h: h.score, default=None)
            alternative = None
            if runner is not None and best.score - runner.score < self.margin and runner.score >= cal.answer_threshold:
                alternative = runner
                reasons.append("ambiguous")
            ordered = [best] + [h for h in hits if h is not best]
            return PartDecision(text, "answer", ordered, best.score, reasons, alternative)
        if best.score >= cal.scope_threshold:
            return PartDecision(text, "unknown", hits, best.score, ["scope.in", "match.below_threshold"])
        return PartDecision(text, "refuse", hits, best.score, ["scope.out"])
