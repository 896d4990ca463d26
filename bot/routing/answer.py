"""Logic answers: an FAQ answer verbatim, or the best passage of a doc section (extractive)."""

from __future__ import annotations

import re

from bot.knowledge import Chunk

_WORD = re.compile(r"\w+")
MAX_EXTRACT = 700


def _overlap(query_words: set[str], text: str) -> float:
    words = set(_WORD.findall(text.lower()))
    return len(query_words & words) / (1 + len(words) ** 0.5)


def extract(chunk: Chunk, question: str) -> str:
    """The FAQ answer, or the doc section; a long section is cut to its best paragraph(s)."""
    if chunk.kind == "faq" or len(chunk.text) <= MAX_EXTRACT:
        return chunk.text
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", chunk.text) if p.strip()]
    query = {w for w in _WORD.findall(question.lower()) if len(w) > 2}
    ranked = sorted(range(len(paragraphs)), key=lambda i: -_overlap(query, paragraphs[i]))
    chosen, size = [], 0
    for i in ranked:
        if size and size + len(paragraphs[i]) > MAX_EXTRACT:
            continue
        chosen.append(i)
        size += len(paragraphs[i])
    text = "\n\n".join(paragraphs[i] for i in sorted(chosen))
    return text if len(text) <= MAX_EXTRACT * 2 else text[: MAX_EXTRACT * 2].rsplit(" ", 1)[0] + " …"
