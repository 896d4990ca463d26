from __future__ import annotations

from bot.guard.base import ScanContext, ScanResult, Scanner
from bot.guard.textstats import content_terms


def grounding_score(text: str, sources: list[str]) -> tuple[float, int]:
    """Share of the text's content terms found in the sources (numbers count double)."""
    terms = content_terms(text)
    if not terms:
        return 1.0, 0
    known = set(content_terms("\n".join(sources)))
    weight = [2.0 if t.isdigit() else 1.0 for t in terms]
    hit = sum(w for t, w in zip(terms, weight) if t in known)
    return hit / sum(weight), len(terms)


class GroundingScanner(Scanner):
    """Generated text must be grounded in the retrieved sources, else block (output.ungrounded);
    the pipeline then falls back to its logical answer."""

    name = "grounding"
    order = {"output": 60}
    pure = whole_text = True
    defaults = {"threshold": 0.55, "min_words": 6}

    def __init__(self, threshold: float = defaults["threshold"], min_words: int = defaults["min_words"]):
        self.threshold, self.min_words = threshold, min_words

    def scan(self, text: str, context: ScanContext) -> ScanResult:
        score, n = grounding_score(text, list(context.sources))
        if n < self.min_words or score >= self.threshold:
            return ScanResult(text)
        return ScanResult(text, "block", round(1.0 - score, 3), "output.ungrounded")
