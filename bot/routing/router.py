"""The intent router: smalltalk by rules, then each part of a message by calibrated scores.

`Router.plan` (plain logic) finds the parts, a style request and a follow-up reading; the
pipeline embeds every planned text in one batch; `Router.decide_plan` routes each part as
answer / unknown / refuse with reason codes and the scores behind them.
"No match" is a value (`route="refuse"` or `"unknown"` with reasons), never an exception.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from bot.routing import docs
from bot.routing.calibrate import Calibration
from bot.routing.crosslingual import LanguageShift
from bot.search.index import Hit, SearchIndex
from bot.routing.features import FEATURES, Geometry, feature_matrix, rank
from bot.routing.memory import ConversationMemory, Turn, leans_back
from bot.routing.plan import Part, Plan, make_plan
from bot.routing.smalltalk_ja import smalltalk_ja
from bot.routing.split import vocabulary_share
from bot.routing.style import StyleRequest

_SMALLTALK = {
    "greeting": re.compile(
        r"^(hi+|hello+|hey+|hiya|yo|howdy|greetings|good (morning|afternoon|evening|day)|"
        r"こんにちは|こんばんは|おはよう(ございます)?|やあ)( there)?( \w+)?"
        r"(,? (are )?you there|,? anyone (there|around|here))?[\s!.。！?？:)(]*$",
        re.I,
    ),
    "thanks": re.compile(
        r"^((many )?thanks?( a lot| so much| again)?|thank you( (so|very) much)?( again)?|thx|ty|cheers|"
        r"great,? thanks?|perfect,? thanks?|ok(ay)?,? thanks?|awesome,? thanks?|ありがとう(ございます)?|どうも)"
        r"( \w+)?([\s,!.]+(that|this|it) (solved|fixed|helped|worked)( it| that)?)?[\s!.。！:)]*$",
        re.I,
    ),
    "goodbye": re.compile(
        r"^(bye|goodbye|good bye|see (you|ya)( later)?|later|cya|have a (nice|good|great) (day|one|evening|weekend)|"
        r"さようなら|またね|では)([\s,!.]+(bye|have a (nice|good|great) (day|one|evening|weekend)|see (you|ya)))*[\s!.。！:)]*$",
        re.I,
    ),
    "help": re.compile(
        r"^(help|help me|\?|what can (you|i) (do|ask)( here| you)?|how does this (bot )?work|"
        r"what (kind|sort|type)s? of (questions|things) can i ask( you)?|what do you (do|know)|"
        r"who are you|what are you|what is this bot|ヘルプ|使い方)[\s?!.。？]*$",
        re.I,
    ),
}


def smalltalk_kind(text: str) -> str | None:
    t = " ".join(text.strip().split())
    if len(t) > 60:
        return None
    for kind, pattern in _SMALLTALK.items():
        if pattern.match(t):
            return kind
    return smalltalk_ja(t)


# "my Gmail password", "cancel my Netflix subscription", "... in Excel?": another product by name.
_OTHER_PRODUCT = re.compile(
    r"\b(?:my|your|our|a|the)\s+([A-Z][\w.+-]*[A-Za-z0-9])\s+(?:account|password|subscription|app|profile|settings|"
    r"login|email|inbox|plan|membership|order|library)\b|\b(?:in|on|with|using)\s+([A-Z][\w.+-]*[A-Za-z0-9])\s*[?.!]*$"
)


def other_product(text: str, known: dict[str, int], service: str) -> str | None:
    """A product the question names that the knowledge base never mentions (not the service)."""
    for match in _OTHER_PRODUCT.finditer(text):
        name = match.group(1) or match.group(2)
        if name.lower() != service.lower() and not known.get(name.lower()):
            return name
    return None


@dataclass
class PartDecision:
    text: str
    route: str  # "answer" | "unknown" | "refuse"
    hits: list[Hit] = field(default_factory=list)
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    alternative: Hit | None = None
    scores: dict[str, float] = field(default_factory=dict)
    part: Part | None = None
    followed_up: bool = False  # answered with the previous question's context


class Router:
    """One per snapshot (rebuilt on reload); the conversation memory outlives it."""

    def __init__(
        self,
        index: SearchIndex,
        calibration: Calibration,
        service: str = "",
        memory: ConversationMemory | None = None,
        top_k: int = 5,
        margin: float | None = None,
        max_parts: int = 4,
        geometry: Geometry | None = None,
    ):
        self.index = index
        self.calibration = calibration
        self.geometry = geometry if geometry is not None and geometry.index is index else Geometry(index)
        self.memory = memory
        self.top_k = top_k
        self.max_parts = max_parts
        self.margin = calibration.ambiguity_margin if margin is None or margin < 0 else margin
        self.service = service
        self.docs = docs.ranker(index)
        self.shift = LanguageShift(self.geometry.row_texts, self.geometry.rows)  # another language than the knowledge
        self._service = re.compile(rf"\b{re.escape(service)}\b", re.I) if service else None

    # -- plain logic ---------------------------------------------------------------------------
    def plan(self, text: str, conversation: str, style: StyleRequest | None = None) -> Plan:
        """`style`: the style request already cut from `text`, if the caller did that first."""
        chatter = docs.chatter(self.docs.passages, text, smalltalk_kind) if self.docs and self.docs.only else smalltalk_kind
        return make_plan(text, conversation, self.memory, self.max_parts, chatter, style, self.geometry.keywords.totals)

    # -- scores --------------------------------------------------------------------------------
    def decide(self, text: str, vector: np.ndarray) -> PartDecision:
        decision = self.decide_entries(text, vector)
        return docs.review(self.docs, decision, text, vector) if self.docs is not None else decision

    def decide_entries(self, text: str, vector: np.ndarray) -> PartDecision:
        cal = self.calibration
        if not self.geometry.n:
            return PartDecision(text, "refuse", reasons=["kb.empty"])
        entry = self.geometry.entry_scores(vector, cal.alpha, None, [text], cal.beta) + self.shift(text, vector)
        ranked = rank(entry[0], self.top_k)
        feats = feature_matrix(self.geometry, entry)[0]
        p_answer = float(cal.answer_prob(feats)[0])
        p_scope = float(cal.scope_prob(feats)[0])
        hits = [Hit(self.index.chunks[i], float(s), 0.0, r) for r, (i, s) in enumerate(zip(ranked.order, ranked.scores))]
        scores = {**dict(zip(FEATURES, feats.tolist())), "p_answer": p_answer, "p_scope": p_scope}
        decision = PartDecision(text, "answer", hits, ranked.s1, scores=scores)
        named = self._service is not None and self._service.search(text)
        if not named and other_product(text, self.geometry.keywords.totals, self.service):
            decision.route, decision.reasons = "refuse", ["scope.other_product"]
            return decision
        if p_answer >= cal.answer_threshold:
            decision.reasons = [f"match.{hits[0].chunk.kind}"]
            runner = hits[1] if len(hits) > 1 else None
            if runner is not None and ranked.gap < self.margin:
                decision.alternative = runner
                decision.reasons.append("ambiguous")
            return decision
        if p_scope >= cal.scope_threshold:
            decision.route, decision.reasons = "unknown", ["scope.in", "match.below_threshold"]
        elif named:
            decision.route, decision.reasons = "unknown", ["scope.service_named", "match.below_threshold"]
        else:
            decision.route, decision.reasons = "refuse", ["scope.out"]
        return decision

    def decide_plan(self, plan: Plan, vectors: dict[str, np.ndarray]) -> list[PartDecision]:
        decisions = []
        for part in plan.parts:
            best = self.decide(part.text, vectors[part.text])
            if part.alone is not None:
                alone = self.decide(part.alone, vectors[part.alone])
                if _prefer_alone(alone, best, leans_back(part.alone)):
                    best = alone
                    best.reasons.append("followup.standalone")
                else:
                    best.followed_up = True
                    best.reasons.append("followup.resolved")
            elif part.previous is not None:
                best.followed_up = True
            best.part = part
            decisions.append(best)
        return self._confirm_split(plan, decisions, vectors)

    def _confirm_split(self, plan: Plan, decisions: list[PartDecision], vectors) -> list[PartDecision]:
        """A tentative split (where the message's words leave the knowledge's) stands when its first
        part is answered and the rest is out of scope; otherwise the message is routed whole."""
        vocabulary = self.geometry.keywords.totals
        for d in decisions[1:]:  # a later part in words the knowledge never uses is not answered from a cosine match
            known, unknown = vocabulary_share(d.text, vocabulary)
            if d.route == "answer" and unknown >= 2 and 2 * known <= unknown:
                d.route, d.reasons = "refuse", d.reasons + ["scope.off_vocabulary"]
        if plan.whole is None or (decisions[0].route == "answer" and all(d.route == "refuse" for d in decisions[1:])):
            return decisions
        whole = self.decide(plan.whole.text, vectors[plan.whole.text])
        whole.part = plan.whole
        whole.reasons.append("split.undone")
        plan.parts = [plan.whole]
        return [whole]

    def remember(self, plan: Plan, decisions: list[PartDecision]) -> None:
        """Keep the last in-scope question of this message for follow-ups."""
        if self.memory is None:
            return
        for d in reversed(decisions):
            if d.route in ("answer", "unknown"):
                source = d.hits[0].chunk.id if d.route == "answer" and d.hits else None
                self.memory.remember(plan.conversation, Turn(d.text[-400:], d.route, source))
                return


def _prefer_alone(alone: PartDecision, combined: PartDecision, anaphoric: bool) -> bool:
    """A follow-up is read with the previous question when it needs it: it points back and the
    combined reading is answered, or it is in scope but unanswered alone and answered together.
    A short out-of-scope request ("write my resume") after a question stays on its own."""
    if combined.route != "answer":
        return True
    if anaphoric:
        return False
    return alone.route != "unknown"
