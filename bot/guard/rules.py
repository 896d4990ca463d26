"""A tiny weighted-regex engine. Patterns must be linear-time: bounded gaps only, no nested
unbounded quantifiers (tests/guard/test_robustness.py, `test_every_pattern_is_linear_on_hostile_input`,
runs every pattern on hostile strings)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.guard.split import segments as split_segments

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


def rule(code: str, pattern: str, weight: float = 1.0, flags: int = 0, needs: tuple[str, ...] = ()) -> Rule:
    """`needs`: words of which one must occur for the pattern to match (for patterns that do not
    open with words(...)); the rule is then only searched where one does."""
    triggers = frozenset(needs) if needs else _triggers(pattern)
    return Rule(code, re.compile(pattern, flags), weight, triggers, None if triggers else _substrings(pattern))


class _Index:
    """Which rules can match a view: by trigger word, by substring, or always (checked in rule order)."""

    def __init__(self, rules: list[Rule]):
        self.rules = rules
        self.by_word: dict[str, list[int]] = {}
        self.by_substring: list[tuple[int, tuple[str, ...]]] = []
        self.always: list[int] = []
        for i, r in enumerate(rules):
            if r.triggers is not None:
                for word in r.triggers:
                    self.by_word.setdefault(word, []).append(i)
            elif r.substrings is not None:
                self.by_substring.append((i, r.substrings))
            else:
                self.always.append(i)

    def candidates(self, view: str) -> list[int]:
        picked = set(self.always)
        for word in set(_TOKEN_RE.findall(view)):
            picked.update(self.by_word.get(word, ()))
        picked.update(i for i, subs in self.by_substring if any(s in view for s in subs))
        return sorted(picked)


_INDEXES: dict[int, _Index] = {}


def _index(rules: list[Rule]) -> _Index:
    index = _INDEXES.get(id(rules))
    if index is None or index.rules is not rules:
        index = _INDEXES[id(rules)] = _Index(rules)
    return index


@dataclass(frozen=True)
class Hit:
    code: str
    weight: float


def find(rules: list[Rule], view: str) -> list[Hit]:
    """The rules whose pattern occurs in `view`, in rule order (only plausible ones are searched)."""
    return [Hit(rules[i].code, rules[i].weight) for i in _index(rules).candidates(view) if rules[i].pattern.search(view)]


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
    """The splitter's segments (bot/guard/split.py, shared with the router), each also cut where a
    clause starts a new instruction ("..., and ignore the above")."""
    return [s.strip() for seg in split_segments(text) for s in _SEGMENT_RE.split(seg) if s and s.strip()]
