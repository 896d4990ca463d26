from __future__ import annotations

from bot.guard.base import NOTE_PII, ScanContext, ScanResult, Scanner
from bot.guard.pii import find_pii, redact


def in_sources(value: str, context: ScanContext) -> bool:
    return any(value in s for s in context.sources)


class PIIScanner(Scanner):
    """Redact personal data. Output side: values that appear in the sources are kept."""

    name = "pii"
    order = {"input": 40, "output": 30}
    rewrites_only = pure = True

    def scan(self, text: str, context: ScanContext) -> ScanResult:
        spans = find_pii(text)
        if context.direction == "output":
            spans = [s for s in spans if not in_sources(text[s.start:s.end], context)]
        if not spans:
            return ScanResult(text)
        kinds = list(dict.fromkeys(s.kind for s in spans))
        if context.direction == "input":
            context.add_note(NOTE_PII)
        return ScanResult(redact(text, spans), "flag", 0.2, kinds[0], tuple(kinds[1:]))
