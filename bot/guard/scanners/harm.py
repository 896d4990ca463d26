from __future__ import annotations

from collections import defaultdict

from bot import strings
from bot.guard.base import ScanContext, ScanResult, Scanner
from bot.guard.decode import match_views
from bot.guard.exemplars import get_set
from bot.guard.rules import find
from bot.guard.rules_harm import EXEMPT, EXEMPT_CODES, RULES
from bot.guard.similarity import message_vector, top


class HarmScanner(Scanner):
    """Harmful requests by category: rules, then similarity to harm exemplars.

    The embedding layer blocks only when the message is at least `margin` closer to a harm
    exemplar than to every benign service anchor. Reports / victims asking for help are
    flagged, not blocked (see rules_harm.EXEMPT).
    """

    name = "harm"
    order = {"input": 70}
    defaults = {"block": 0.80, "flag": 0.72, "margin": 0.08}  # fitted (embedding layer)
    replies = {"harm": strings.BLOCK_HARM}

    def __init__(self, block: float = defaults["block"], flag: float = defaults["flag"],
                 margin: float = defaults["margin"], decode_depth: int = 3):
        self.block, self.flag, self.margin, self.decode_depth = block, flag, margin, decode_depth

    @classmethod
    def from_policy(cls, policy: dict, state) -> "HarmScanner":
        p = policy["harm"]
        return cls(p["block"], p["flag"], p["margin"], policy["decode_depth"])

    def scan(self, text: str, context: ScanContext) -> ScanResult:
        views = match_views(text, self.decode_depth)
        exempt = bool(EXEMPT.search(views[0][1]))
        scores: dict[str, float] = defaultdict(float)
        for _, view in views:
            for hit in find(RULES, view):
                weight = hit.weight * (0.5 if exempt and hit.code in EXEMPT_CODES else 1.0)
                scores[hit.code] = min(1.0, scores[hit.code] + weight)
        code, score = max(scores.items(), key=lambda kv: kv[1], default=(None, 0.0))
        if score >= 1.0:
            return ScanResult(text, "block", 1.0, code)
        vec = message_vector(text, context)
        if vec is not None:
            sim, row = top("harm_exemplars", vec, context)
            benign, _ = top("benign_anchors", vec, context)
            emb_code = get_set("harm_exemplars").labels[row]
            damped = exempt and emb_code in EXEMPT_CODES
            if sim >= self.block and sim - benign >= self.margin and not damped:
                return ScanResult(text, "block", sim, emb_code, ("harm.embedding",))
            if sim >= self.flag and sim - benign >= 0:
                return ScanResult(text, "flag", sim, emb_code, ("harm.embedding",))
        if score >= 0.5:
            return ScanResult(text, "flag", score, code)
        return ScanResult(text)
