from __future__ import annotations

import re

from bot import strings
from bot.guard.base import ScanContext, ScanResult, Scanner
from bot.guard.decode import match_views
from bot.guard.normalize import compact_view, match_view
from bot.guard.rules import find, score, segments, strong_codes
from bot.guard.rules_injection import RULES

# Letters-only forms of classic phrases: catch "i.g.n.o.r.e", "ig nore", "i g n o r e".
COMPACT = ("ignoreallpreviousinstructions", "ignorepreviousinstructions", "ignoreallinstructions",
           "ignoreyourinstructions", "ignoretheaboveinstructions", "ignoretheabove",
           "disregardpreviousinstructions", "disregardallpreviousinstructions", "forgetallpreviousinstructions",
           "forgetyourinstructions", "forgeteverythingabove", "revealyoursystemprompt",
           "printyoursystemprompt", "showyoursystemprompt", "showmeyoursystemprompt",
           "repeatthetextabove", "doanythingnow", "developermodeenabled", "ignoreallpriorinstructions",
           "saythatyouhate", "saythatyoulove")
_REQUEST_RE = re.compile(
    r"(?i)[?？]|^\W*(?:how|what|why|when|where|who|which|can|could|would|will|is|are|do|does|did|"
    r"should|may|i|i'm|i've|my|we|our|is there|tell me how|where's|what's|how's)\b"
    r"|(?:ますか|ですか|ください|方法|どう|なぜ|何|いつ|どこ|教えて)"
)


def is_request(segment: str) -> bool:
    """A segment that could be a genuine question for the service."""
    words = len(re.findall(r"\w+", segment))
    cjk = len(re.findall(r"[\u3040-\u30ff\u4e00-\u9fff]", segment))
    return (words >= 3 or cjk >= 6) and bool(_REQUEST_RE.search(segment))


class InjectionRulesScanner(Scanner):
    """Rule layer: overrides, extraction, role-play, personas, fake tags; EN/JA (+DE/ES/FR).

    A legitimate question with an instruction smuggled in a separate sentence is stripped
    down to the question ("strip", injection.smuggled); otherwise rule hits block.
    """

    name = "injection_rules"
    order = {"input": 60}
    replies = {"injection": strings.BLOCK_INJECTION, "jailbreak": strings.BLOCK_INJECTION}
    MAX_SEGMENTS = 6  # longer texts with rule hits are scenarios, not a question plus an aside
    MAX_KEPT_CHARS = 300
    STRIPPABLE = ("injection.override", "injection.extraction", "injection.fake_tag")

    def __init__(self, decode_depth: int = 3):
        self.decode_depth = decode_depth

    @classmethod
    def from_policy(cls, policy: dict, state) -> "InjectionRulesScanner":
        return cls(policy["decode_depth"])

    def scan(self, text: str, context: ScanContext) -> ScanResult:
        best, best_code, encoded, also = 0.0, None, None, ()
        for kind, view in match_views(text, self.decode_depth):
            hits = find(RULES, view)
            total, code = score(hits)
            if total > best:
                best, best_code, encoded = total, code, (None if kind == "plain" else kind)
                also = tuple(c for c in strong_codes(hits) if c != code)
        if best < 1.0:
            compact = compact_view(text)
            if any(k in compact for k in COMPACT):
                best, best_code, encoded = 1.0, "injection.override", None
        if best < 0.5:
            return ScanResult(text)
        if best < 1.0:
            return ScanResult(text, "flag", best, best_code)
        if encoded:
            return ScanResult(text, "block", 1.0, "injection.encoded", (best_code, *also))
        stripped = self._strip(text) if best_code in self.STRIPPABLE else None
        if stripped:
            return ScanResult(stripped, "strip", 0.9, "injection.smuggled", (best_code, *also))
        return ScanResult(text, "block", 1.0, best_code, also)

    def _strip(self, text: str) -> str | None:
        """The legitimate sentences (questions, and a statement right before one as its context),
        if the rule hits are confined to the others."""
        parts = segments(text)
        if not 2 <= len(parts) <= self.MAX_SEGMENTS:
            return None
        hit = [score(find(RULES, match_view(p)))[0] >= 0.5 for p in parts]
        if not any(hit):
            return None
        request = [not h and is_request(p) for p, h in zip(parts, hit)]
        kept = [p for i, p in enumerate(parts)
                if request[i] or (not hit[i] and i + 1 < len(parts) and request[i + 1])]
        dropped_clean = sum(not h for h in hit) - len(kept)
        text_kept = " ".join(kept)
        if not 1 <= sum(request) <= 2 or dropped_clean > 1 or len(text_kept) > self.MAX_KEPT_CHARS:
            return None
        if score(find(RULES, match_view(text_kept)))[0] >= 0.5 or any(k in compact_view(text_kept) for k in COMPACT):
            return None
        return text_kept
