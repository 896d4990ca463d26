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
    triggers: frozenset[str] | None = None  # the rule can only match if one of these words occurs
    substrings: tuple[str, ...] | None = None  # ... or, for alt() patterns, one of these substrings


# A pattern that opens with words(...) of plain words can only match where one of them occurs.
_LEAD_RE = re.compile(r"(?:\(\?<!my \))?\\b\(\?:([a-z' |]+)\)\\b")
_TOKEN_RE = re.compile(r"[a-z']+")


def _triggers(pattern: str) -> frozenset[str] | None:
    m = _LEAD_RE.match(pattern)
    if not m:
        return None
    firsts = {alt.split()[0] for alt in m.group(1).split("|") if alt.strip()}
    return frozenset(firsts) if firsts else None


_ALT_RE = re.compile(r"\(\?:([^\\()\[\]{}.*+?^$]+)\)")


def _substrings(pattern: str) -> tuple[str, ...] | None:
    m = _ALT_RE.match(pattern)
    return tuple(m.group(1).split("|")) if m and "" not in m.group(1).split("|") else None


def rule(code: str, pattern: str, weight: float = 1.0, flags: int = 0) -> Rule:
    triggers = _triggers(pattern)
    return Rule(code, re.compile(pattern, flags), weight, triggers, None if triggers else _substrings(pattern))


def _may_match(r: Rule, tokens: set[str], view: str) -> bool:
    if r.triggers is not None:
        return not r.triggers.isdisjoint(tokens)
    if r.substrings is not None:
        return any(s in view for s in r.substrings)
    return True


@dataclass(frozen=True)
class Hit:
    code: str
    weight: float


def find(rules: list[Rule], view: str) -> list[Hit]:
    tokens = set(_TOKEN_RE.findall(view))
    return [Hit(r.code, r.weight) for r in rules if _may_match(r, tokens, view) and r.pattern.search(view)]


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
