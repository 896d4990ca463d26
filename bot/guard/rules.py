"""A tiny weighted-regex engine. Patterns must be linear-time: bounded gaps only, no nested
unbounded quantifiers (tests/guard/test_redos.py runs every pattern on hostile strings)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_END = r".!?\n。！？"


def gap(n: int) -> str:
    """Up to n characters inside one sentence."""
    return f"[^{_END}]{{0,{n}}}"


def words(*alternatives: str) -> str:
    return r"\b(?:" + "|".join(alternatives) + r")\b"


def alt(*alternatives: str) -> str:
    """Alternation without word boundaries (Japanese, tags)."""
    return "(?:" + "|".join(alternatives) + ")"


@dataclass(frozen=True)
class Rule:
    code: str
    pattern: re.Pattern
    weight: float = 1.0  # 1.0 blocks alone; smaller weights add up


def rule(code: str, pattern: str, weight: float = 1.0, flags: int = 0) -> Rule:
    return Rule(code, re.compile(pattern, flags), weight)


@dataclass(frozen=True)
class Hit:
    code: str
    weight: float


def find(rules: list[Rule], view: str) -> list[Hit]:
    return [Hit(r.code, r.weight) for r in rules if r.pattern.search(view)]


def score(hits: list[Hit]) -> tuple[float, str | None]:
    """Total weight (capped at 1) and the code of the heaviest hit."""
    if not hits:
        return 0.0, None
    return min(1.0, sum(h.weight for h in hits)), max(hits, key=lambda h: h.weight).code


def strong_codes(hits: list[Hit]) -> tuple[str, ...]:
    """Distinct codes of the hits that block on their own, in rule order."""
    return tuple(dict.fromkeys(h.code for h in hits if h.weight >= 1.0))


_SEGMENT_RE = re.compile(
    r"(?<=[.?!。？！])\s+|\n+|;\s*|(?<=[。？！])(?=\S)|(?<=[?!])(?=[^\s\d.,;:!?)\]\"'])"
    r"|(?:,[^\S\n]*|(?<![^\S\n])[^\S\n]+(?=(?:and|then|now|also|but)\s))(?:(?:and|then|now|also|but)[^\S\n]+){0,2}"
    r"(?=(?:ignore|disregard|forget|print|reveal|repeat|output|pretend|act as|from now on)\b)",
    re.I,
)


def segments(text: str) -> list[str]:
    """Sentences and clauses that start a new instruction."""
    return [s.strip() for s in _SEGMENT_RE.split(text) if s and s.strip()]
