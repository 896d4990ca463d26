from __future__ import annotations

import re

from bot.guard.base import ScanContext, ScanResult, Scanner

# Neutral form: U+FF20 FULLWIDTH COMMERCIAL AT. Neither Slack nor Discord parses "＠name"
# as a mention, and it stays readable.
AT = "\uff20"
_SLACK_RE = re.compile(r"<!(channel|here|everyone)(?:\|[^>\n]{0,80})?>")
_SUBTEAM_RE = re.compile(r"<!subteam\^([A-Za-z0-9]{1,30})(?:\|@?([^>\n]{0,80}))?>")
_USER_RE = re.compile(r"<@([!&]?)([A-Za-z0-9]{1,30})(?:\|([^>\n]{0,80}))?>")
_PLAIN_RE = re.compile(r"(?<![\w@＠])@(everyone|here|channel)\b", re.I)


class MentionsScanner(Scanner):
    """Neutralise mass mentions and mentions nobody asked for (output side)."""

    name = "mentions"
    order = {"output": 40}
    pure = True

    def scan(self, text: str, context: ScanContext) -> ScanResult:
        allowed = {m.lstrip("@<!").rstrip(">").lower() for m in context.requested_mentions}
        count = 0

        def neutral(m: re.Match, keys: tuple[str, ...], name: str) -> str:
            nonlocal count
            if any(k.lower() in allowed for k in keys if k):
                return m.group(0)
            count += 1
            return AT + name

        out = _SLACK_RE.sub(lambda m: neutral(m, (m.group(1),), m.group(1)), text)
        out = _SUBTEAM_RE.sub(lambda m: neutral(m, (m.group(1),), m.group(2) or m.group(1)), out)
        out = _USER_RE.sub(lambda m: neutral(m, (m.group(2), "&" + m.group(2) if m.group(1) == "&" else ""),
                                             m.group(3) or m.group(1).replace("!", "") + m.group(2)), out)
        out = _PLAIN_RE.sub(lambda m: neutral(m, (m.group(1),), m.group(1)), out)
        if not count:
            return ScanResult(text)
        return ScanResult(out, "flag", 0.3, "output.mention")
