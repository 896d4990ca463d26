from __future__ import annotations

from functools import lru_cache

from bot.guard.base import NOTE_PII, ScanContext, ScanResult, Scanner
from bot.guard.pii import Span, find_pii, redact, resolve


def in_sources(value: str, context: ScanContext) -> bool:
    return any(value in s for s in context.sources)


@lru_cache(maxsize=4)
def name_detector(model: str, threshold: float):
    """The optional NER model, loaded once per folder (see bot/guard/names.py)."""
    from bot.guard.names import NameDetector

    return NameDetector(model, threshold)


class PIIScanner(Scanner):
    """Redact personal data (structured identifiers; names too when `names_model` is set).
    Output side: values that appear in the sources are kept."""

    name = "pii"
    order = {"input": 40, "output": 30}
    rewrites_only = pure = True
    defaults = {"names_model": "", "names_threshold": 0.8}

    def __init__(self, names_model: str = "", names_threshold: float = 0.8):
        self.names = name_detector(names_model, float(names_threshold)) if names_model else None

    def spans(self, text: str) -> list[Span]:
        spans = find_pii(text)
        if self.names is not None:
            spans = resolve(spans + [Span(a, b, "pii.name", "[NAME]") for a, b in self.names.find(text)])
        return spans

    def scan(self, text: str, context: ScanContext) -> ScanResult:
        spans = self.spans(text)
        if context.direction == "output":
            spans = [s for s in spans if not in_sources(text[s.start:s.end], context)]
        if not spans:
            return ScanResult(text)
        kinds = list(dict.fromkeys(s.kind for s in spans))
        if context.direction == "input":
            context.add_note(NOTE_PII)
        return ScanResult(redact(text, spans), "flag", 0.2, kinds[0], tuple(kinds[1:]))
