from __future__ import annotations

from collections import defaultdict

from bot import strings
from bot.guard.base import ScanContext, ScanResult, Scanner
from bot.guard.decode import match_views
from bot.guard.rules import find
from bot.guard.rules_crisis import RULES


class CrisisScanner(Scanner):
    """Self-harm and crisis messages, before the flood limits: such a message gets a caring reply
    with the operator's crisis resources (`[guard] crisis_resources`), never a refusal, and never
    spends the user's rate-limit tokens or counts towards abuse. Rules only (it runs before the
    text is redacted, so it cannot share the message's embedding); the harm scanner's embedding
    layer catches what the rules miss, with the same reason code and reply."""

    name = "crisis"
    order = {"input": 25}
    replies = {"harm.self_harm": strings.CRISIS}

    def __init__(self, decode_depth: int = 3):
        self.decode_depth = decode_depth

    @classmethod
    def from_policy(cls, policy: dict, state) -> "CrisisScanner":
        return cls(policy["decode_depth"])

    def scan(self, text: str, context: ScanContext) -> ScanResult:
        score: dict[str, float] = defaultdict(float)
        for _, view in match_views(text, self.decode_depth):
            for hit in find(RULES, view):
                score[hit.code] = min(1.0, score[hit.code] + hit.weight)
        if score["harm.self_harm"] >= 1.0:
            return ScanResult(text, "block", 1.0, "harm.self_harm")
        return ScanResult(text)
