from __future__ import annotations

import re
from urllib.parse import urlsplit

from bot.guard.base import ScanContext, ScanResult, Scanner

REMOVED = "[link removed]"
_MD_RE = re.compile(r"\[([^\]\n]{0,300})\]\(\s*([^)\s]{1,2000})\s*\)")
_SLACK_RE = re.compile(r"<((?:https?|ftp|javascript|data|mailto):[^|>\s]{1,2000})(?:\|([^>\n]{0,300}))?>", re.I)
_BARE_RE = re.compile(r"(?<![\w@/])(?:(?:https?|ftp)://|www\.)[^\s<>\"'`)\]|]{1,2000}|\b(?:javascript|data):[^\s<>\"'`]{1,2000}", re.I)


def host_allowed(url: str, allowed: tuple[str, ...]) -> bool:
    if not re.match(r"(?i)(?:https?://|www\.)", url):
        return False  # javascript:, data:, ftp: ... never allowed
    try:
        host = (urlsplit(url if "://" in url else "http://" + url).hostname or "").rstrip(".").lower()
    except ValueError:
        return False
    if not host:
        return False
    for domain in allowed:
        d = domain.lower().lstrip(".")
        if host == d or host.endswith("." + d):
            return True
    return False


class LinksScanner(Scanner):
    """Remove links whose host is not under `context.allowed_domains` (output side).

    Markdown and Slack links keep their label; bare links become "[link removed]".
    """

    name = "links"
    order = {"output": 50}
    pure = True

    def scan(self, text: str, context: ScanContext) -> ScanResult:
        removed = 0
        allowed = tuple(context.allowed_domains)

        def keep_or(url: str, original: str, replacement: str) -> str:
            nonlocal removed
            if host_allowed(url, allowed):
                return original
            removed += 1
            return replacement

        out = _MD_RE.sub(lambda m: keep_or(m.group(2), m.group(0), m.group(1) or REMOVED), text)
        out = _SLACK_RE.sub(lambda m: keep_or(m.group(1), m.group(0), m.group(2) or REMOVED), out)
        # bare links: skip those inside markdown/Slack links already kept
        kept_spans = [m.span() for m in _MD_RE.finditer(out)] + [m.span() for m in _SLACK_RE.finditer(out)]

        def bare(m: re.Match) -> str:
            if any(a <= m.start() < b for a, b in kept_spans):
                return m.group(0)
            url = m.group(0).rstrip(".,;:!?")
            tail = m.group(0)[len(url):]
            return keep_or(url, m.group(0), REMOVED + tail)

        out = _BARE_RE.sub(bare, out)
        if not removed:
            return ScanResult(text)
        return ScanResult(out, "strip", 0.4, "output.link")
