from __future__ import annotations

from bot.guard.base import NOTE_SECRET, ScanContext, ScanResult, Scanner
from bot.guard.pii import redact
from bot.guard.scanners.pii import in_sources
from bot.guard.secrets import find_secrets


class SecretsScanner(Scanner):
    """Redact tokens, keys and passwords. Input: flag + note. Output: a leak, so block."""

    name = "secrets"

    def scan(self, text: str, context: ScanContext) -> ScanResult:
        spans = find_secrets(text)
        output = context.direction == "output"
        if output:
            spans = [s for s in spans if not in_sources(text[s.start:s.end], context)]
        if not spans:
            return ScanResult(text)
        kinds = list(dict.fromkeys(s.kind for s in spans))
        if output:
            return ScanResult(redact(text, spans), "block", 0.9, "output.secret", tuple(kinds))
        context.add_note(NOTE_SECRET)
        return ScanResult(redact(text, spans), "flag", 0.3, kinds[0], tuple(kinds[1:]))
