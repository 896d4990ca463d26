from __future__ import annotations

import re

from bot.guard.base import ScanContext, ScanResult, Scanner
from bot.guard.normalize import normalize
from bot.guard.textstats import ngrams, tokens


def _squash(s: str) -> str:
    """Case, spacing and punctuation removed: catches a canary written as "c a n-a r y"."""
    return re.sub(r"[\W_]+", "", normalize(s).casefold())


class LeakScanner(Scanner):
    """Output side: the canary, or long runs of the system prompt (not also in the sources)."""

    name = "leak"
    order = {"output": 10}
    pure = True
    defaults = {"ngram": 8, "max_shared": 2}

    def __init__(self, ngram: int = defaults["ngram"], max_shared: int = defaults["max_shared"]):
        self.n, self.max_shared = ngram, max_shared

    def scan(self, text: str, context: ScanContext) -> ScanResult:
        canary = context.canary.strip()
        if canary and (canary in text or (len(_squash(canary)) >= 6 and _squash(canary) in _squash(text))):
            return ScanResult(text, "block", 1.0, "output.canary")
        if context.system_prompt:
            prompt = ngrams(tokens(context.system_prompt), self.n)
            if prompt:
                shared = (prompt & ngrams(tokens(text), self.n)) - ngrams(tokens("\n".join(context.sources)), self.n)
                if len(shared) > self.max_shared:
                    return ScanResult(text, "block", 0.9, "output.system_prompt")
        return ScanResult(text)
