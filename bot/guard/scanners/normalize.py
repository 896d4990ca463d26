from __future__ import annotations

from bot.guard.base import ScanContext, ScanResult, Scanner
from bot.guard.normalize import normalize


class NormalizeScanner(Scanner):
    """NFKC, invisible characters out, mixed-script look-alikes folded. Never blocks."""

    name = "normalize"
    order = {"input": 10}
    rewrites_only = True

    def __init__(self, max_chars: int = 4000):
        self.hard_cap = max_chars * 4  # bound the work on huge inputs; `length` truncates

    @classmethod
    def from_policy(cls, policy: dict, state) -> "NormalizeScanner":
        return cls(policy["max_input_chars"])

    def scan(self, text: str, context: ScanContext) -> ScanResult:
        return ScanResult(normalize(text[: self.hard_cap]))
