from __future__ import annotations

import logging

from bot.guard.base import ScanContext, ScanResult, Scanner
from bot.guard.head import load_head
from bot.guard.similarity import message_vector

log = logging.getLogger("helpbot.guard")


class InjectionClassifierScanner(Scanner):
    """The trained head (see bot/guard/head.py) on the message embedding and its n-grams."""

    name = "injection_classifier"

    def __init__(self, weights: str = "", block: float = 0.70, flag: float = 0.50):
        self.head = load_head(weights or None)
        if self.head is None:
            log.warning("guard: no injection head at %r; the classifier layer is off", weights or "default")
        self.block, self.flag = block, flag

    @classmethod
    def from_policy(cls, policy: dict, state) -> "InjectionClassifierScanner":
        p = policy["injection_classifier"]
        return cls(p["weights"], p["block"], p["flag"])

    def scan(self, text: str, context: ScanContext) -> ScanResult:
        vec = message_vector(text, context) if self.head is not None else None
        if vec is None:
            return ScanResult(text)
        p = float(self.head.prob(vec, [text]))
        if p >= self.block:
            return ScanResult(text, "block", p, "injection.classifier")
        if p >= self.flag:
            return ScanResult(text, "flag", p, "injection.classifier")
        return ScanResult(text)
