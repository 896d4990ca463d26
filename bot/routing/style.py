"""Requests for an answer style helpbot does not offer ("as a haiku", "in pirate speak", "in French").

The style request is cut out before retrieval, so it never reaches search or generation; the
plain answer is given with one line saying the style isn't offered (reason `style.unsupported`).
Patterns live in `bot/data/style_patterns.txt`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

PATTERNS = Path(__file__).resolve().parent.parent / "data" / "style_patterns.txt"
_LEFTOVER = re.compile(r"^[\s,;:、-]+|(?:[\s,;:、-]+(?:but|and|or|so|please|only)?)+$", re.I)
_EMPTY_ASK = re.compile(
    r"^(?:(?:please|can you|could you|now|ok|okay|and|so|then|again)\b\s*)*(?:(?:explain|say|tell|write|answer|describe|"
    r"put|do|give)\s*(?:it|this|that|them|me|the answer|that again|it again)?\s*(?:again|for me|please)?)?[\s?.!。？！]*$",
    re.I,
)


@dataclass(frozen=True)
class StyleRequest:
    text: str  # the message without the style request
    kinds: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def found(self) -> bool:
        return bool(self.kinds)

    @property
    def bare(self) -> bool:
        """Nothing is left but a pronoun ("explain it ..."): the request is about the previous answer."""
        return self.found and bool(_EMPTY_ASK.match(self.text))


@functools.lru_cache(maxsize=4)
def load_patterns(path: Path = PATTERNS) -> tuple[tuple[str, re.Pattern], ...]:
    rules = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        kind, _, pattern = line.partition("\t")
        rules.append((kind.strip(), re.compile(pattern.strip(), re.I)))
    return tuple(rules)


def find_style(text: str, patterns: tuple[tuple[str, re.Pattern], ...] | None = None) -> StyleRequest:
    """The style requests in `text` ("as a haiku") and the text without them."""
    return _find_style(text, patterns or load_patterns())


@functools.lru_cache(maxsize=1024)  # asked several times per message (pipeline, plan, parts)
def _find_style(text: str, patterns: tuple[tuple[str, re.Pattern], ...]) -> StyleRequest:
    kinds: list[str] = []
    removed: list[str] = []
    for kind, pattern in patterns:
        match = pattern.search(text)
        while match and match.group(0).strip():
            kinds.append(kind)
            removed.append(match.group(0).strip(" ,、"))
            text = text[: match.start()] + " " + text[match.end() :]
            match = pattern.search(text)
    if not kinds:
        return StyleRequest(text)
    clean = " ".join(_LEFTOVER.sub("", text).split())
    clean = re.sub(r"\s+([?.!,。？！])", r"\1", clean)
    return StyleRequest(clean, tuple(dict.fromkeys(kinds)), tuple(removed))


def is_bare_ask(text: str) -> bool:
    """"Tell me.", "please", "explain it": a request with no subject of its own."""
    return bool(_EMPTY_ASK.match(text.strip()))
