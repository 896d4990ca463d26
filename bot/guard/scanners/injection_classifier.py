from __future__ import annotations

import logging

from bot import strings
from bot.guard.base import ScanContext, ScanResult, Scanner
from bot.guard.head import load_head
from bot.guard.similarity import message_vector

log = logging.getLogger("helpbot.guard")


class InjectionClassifierScanner(Scanner):
    """The trained head (see bot/guard/head.py) on the message embedding and its n-grams."""

    name = "injection_classifier"
    order = {"input": 90}
    defaults = {"weights": "", "block": 0.70, "flag": 0.50}  # fitted; "" = the shipped head
    replies = {"injection": strings.BLOCK_INJECTION}

    def __init__(self, weights: str = defaults["weights"], block: float = defaults["block"],
                 flag: float = defaults["flag"]):
        self.head = load_head(weights or None)
        if self.head is None:
            log.warning("guard: no injection head at %r; the classifier layer is off", weights or "default")
        self.block, self.flag = block, flag

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
