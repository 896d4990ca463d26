"""Word tokens and n-grams for overlap scores (groundedness, system-prompt leaks)."""

from __future__ import annotations

import re

_TOKEN_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
STOPWORDS = frozenset("""
a an the and or but if then else of to in on at by for with from as is are was were be been being
it its this that these those there here you your yours we our us i me my mine he she they them their
his her do does did done doing have has had having can could will would shall should may might must
not no yes so than too very just also only about into over under again further once what which who
whom when where why how all any both each few more most other some such own same s t don't can't
i'm you're it's that's let's please thanks thank hi hello ok okay get got go going make made use
used using via per up out off down new one two sure need want like click see find
""".split())
_JA_PARTICLES = frozenset("のはがをにでとへもやかなよねしてたです")


def tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(text.lower())


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content_terms(text: str) -> list[str]:
    """Content words (stemmed, no stop words) and CJK character bigrams."""
    toks = tokens(text)
    terms = [_stem(t) for t in toks if not _CJK_RE.match(t) and t not in STOPWORDS]
    cjk = [t for t in toks if _CJK_RE.match(t)]
    terms += [a + b for a, b in zip(cjk, cjk[1:]) if not (a in _JA_PARTICLES and b in _JA_PARTICLES)]
    return terms


def ngrams(toks: list[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(toks[i:i + n]) for i in range(len(toks) - n + 1)}
