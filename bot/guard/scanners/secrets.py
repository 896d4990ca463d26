from __future__ import annotations

from bot.guard.base import NOTE_SECRET, ScanContext, ScanResult, Scanner
from bot.guard.pii import redact
from bot.guard.scanners.pii import in_sources
from bot.guard.secrets import find_secrets


class SecretsScanner(Scanner):
    """Redact tokens, keys and passwords. Input: flag + note. Output: masked always; one that is not in
    the sources is a leak, so block; one that is (a secret in a knowledge file) is masked and flagged."""

    name = "secrets"
    order = {"input": 50, "output": 20}
    rewrites_only = pure = True

    def scan(self, text: str, context: ScanContext) -> ScanResult:
        spans = find_secrets(text)
        if not spans:
            return ScanResult(text)
        kinds = list(dict.fromkeys(s.kind for s in spans))
        if context.direction == "output":
            if all(in_sources(text[s.start:s.end], context) for s in spans):
                return ScanResult(redact(text, spans), "flag", 0.5, "output.secret_in_knowledge", tuple(kinds),
                                  flags=("knowledge.secret",))
            return ScanResult(redact(text, spans), "block", 0.9, "output.secret", tuple(kinds))
        context.add_note(NOTE_SECRET)
        return ScanResult(redact(text, spans), "flag", 0.3, kinds[0], tuple(kinds[1:]))
