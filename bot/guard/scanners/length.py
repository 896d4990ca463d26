from __future__ import annotations

from bot.guard.base import NOTE_TRUNCATED, ScanContext, ScanResult, Scanner


class LengthScanner(Scanner):
    """Truncate long input at a word boundary and tell the user."""

    name = "length"
    order = {"input": 20}
    rewrites_only = True

    def __init__(self, max_chars: int = 4000):
        self.max_chars = max_chars

    @classmethod
    def from_policy(cls, policy: dict, state) -> "LengthScanner":
        return cls(policy["max_input_chars"])

    def scan(self, text: str, context: ScanContext) -> ScanResult:
        if len(text) <= self.max_chars:
            return ScanResult(text)
        cut = text[: self.max_chars]
        space = cut.rfind(" ", int(self.max_chars * 0.8))
        context.add_note(NOTE_TRUNCATED)
        return ScanResult(cut[:space] if space > 0 else cut, "flag", 0.1, "length.truncated")
