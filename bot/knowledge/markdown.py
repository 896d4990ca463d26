"""Markdown pages to heading sections: front matter, slugs, one chunk per section."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# "#\u3000見出し": Japanese keyboards type an ideographic space after "#"; it separates a heading too.
_HEADING = re.compile(r"^(#{1,6})[ \t\u3000]+(.+?)[ \t\u3000#]*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


def slugify(heading: str) -> str:
    """Lower-case, spaces to '-', punctuation dropped: "Rate limits & quotas" -> "rate-limits-quotas".
    Letters of every script stay, full-width forms folded: "ＡＰＩの　使い方" -> "apiの-使い方"."""
    text = unicodedata.normalize("NFKC", heading).lower()
    text = "".join(ch for ch in text if ch.isalnum() or ch in " -_")
    return re.sub(r"[\s]+", "-", text.strip()).strip("-")


@dataclass(frozen=True)
class Section:
    heading: str
    slug: str
    text: str
    line: int
    parents: tuple[str, ...] = ()  # the headings above this one (outermost first), below the page title


def split_front_matter(source: str) -> tuple[str | None, str, int]:
    """Return (front matter text or None, body, line offset of the body)."""
    if not source.startswith("---"):
        return None, source, 0
    lines = source.split("\n")
    if lines[0].strip() != "---":
        return None, source, 0
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            return "\n".join(lines[1:i]), "\n".join(lines[i + 1 :]), i + 1
    raise ValueError("front matter starts with '---' but never ends")


def split_sections(body: str, line_offset: int = 0) -> tuple[str | None, list[Section]]:
    """Split on headings outside code fences. Returns (page title from the first '#', sections)."""
    title = None
    sections: list[Section] = []
    heading, start, buf = None, line_offset + 1, []
    in_fence = False
    stack: list[tuple[int, str]] = []  # (level, heading) of the open headings, outermost first
    parents: tuple[str, ...] = ()

    def flush():
        text = "\n".join(buf).strip()
        if heading is not None or text:
            name = heading or title or ""
            sections.append(Section(name, slugify(name) or "intro", text, start, parents))

    for n, line in enumerate(body.split("\n"), start=line_offset + 1):
        if _FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        if match:
            level, name = len(match.group(1)), match.group(2).strip()
            if level == 1 and title is None and not sections and not "\n".join(buf).strip():
                title, heading, start, buf = name, name, n, []
                continue
            flush()
            while stack and stack[-1][0] >= level:
                stack.pop()
            parents = tuple(h for _, h in stack)
            stack.append((level, name))
            heading, start, buf = name, n, []
        else:
            buf.append(line)
    flush()
    return title, [s for s in sections if s.text]
