from __future__ import annotations

import re

from bot import strings
from bot.guard.base import ScanContext, ScanResult, Scanner
from bot.guard.rules import score, segments, strong_codes
from bot.guard.rules_ja import hits, is_japanese
from bot.guard.scanners.injection_rules import is_request


class InjectionJapaneseScanner(Scanner):
    """Japanese injections, jailbreaks, personas and the bedtime-story pattern (bot/guard/rules_ja.py).

    Rules only, so it works whatever the embedding model reads. Runs on text with kana or kanji.
    A service question with an instruction in another sentence is stripped down to the question
    ("strip", injection.smuggled), as the English rules do; otherwise 1.0 blocks, 0.5 flags.
    """

    name = "injection_ja"
    order = {"input": 66}  # after injection_rules (60) and a plugin placed right after it (65), before harm (70)
    replies = {"injection": strings.BLOCK_INJECTION, "jailbreak": strings.BLOCK_INJECTION}
    MAX_SEGMENTS = 6
    STRIPPABLE = ("injection.override", "injection.extraction", "jailbreak.persona")

    def scan(self, text: str, context: ScanContext) -> ScanResult:
        if not is_japanese(text):
            return ScanResult(text)
        found = hits(text)
        total, code = score(found)
        if total < 0.5:
            return ScanResult(text)
        if total < 1.0:
            return ScanResult(text, "flag", total, code)
        also = tuple(c for c in strong_codes(found) if c != code)
        stripped = self._strip(text) if code in self.STRIPPABLE else None
        if stripped:
            return ScanResult(stripped, "strip", 0.9, "injection.smuggled", (code, *also))
        return ScanResult(text, "block", 1.0, code, also)

    def _strip(self, text: str) -> str | None:
        """The service questions of `text`, if every rule hit lies in its other sentences."""
        parts = [p for seg in segments(text) for p in _space_split(seg)]
        if not 2 <= len(parts) <= self.MAX_SEGMENTS:
            return None
        hit = [score(hits(p))[0] >= 0.5 for p in parts]
        kept = [p for p, h in zip(parts, hit) if not h and is_request(p)]
        if not 1 <= len(kept) <= 2 or len(kept) + sum(hit) < len(parts) - 1:
            return None
        text_kept = " ".join(kept)
        return text_kept if score(hits(text_kept))[0] < 0.5 else None


def _space_split(segment: str) -> list[str]:
    """Japanese does not put spaces inside a sentence: a space between two Japanese runs starts a new one."""
    return [p for p in re.split(r"(?<=[\u3040-\u30ff\u4e00-\u9fff])\s+(?=[\u3040-\u30ff\u4e00-\u9fff])", segment) if p]
