"""Slack text in and out: Slack markup to plain text, and replies to escaped mrkdwn + Block Kit.

Everything shown in Slack goes through `escape`, so neither the user's words nor the knowledge
text can ping a channel (`<!here>`, `@everyone`) or mention someone (`<@U..>`).
"""

from __future__ import annotations

import json
import re

from bot import strings
from bot.i18n import localize
from bot.messages import Reply

WORD_JOINER = "\u2060"  # invisible; placed after "@" so "@here" is shown but never notifies
_BROADCAST = re.compile(r"@(everyone|here|channel)", re.I)
_SLACK_TOKEN = re.compile(r"<([^<>\n]*)>")
_MD_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)]+)\)")
_MD_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_LIST_ITEM = re.compile(r"^\s*([-*+]|\d+[.)])\s+")
SECTION_LIMIT = 3000  # Block Kit section text limit
FEEDBACK_BLOCK = "helpbot_feedback"
FEEDBACK_ACTIONS = {
    "helpbot_feedback_helpful": ("helpful", strings.FEEDBACK_HELPFUL),
    "helpbot_feedback_not_helpful": ("not_helpful", strings.FEEDBACK_NOT_HELPFUL),
    "helpbot_feedback_should_have_answered": ("should_have_answered", strings.FEEDBACK_SHOULD_ANSWER),
}


def escape(text: str) -> str:
    """Escape &, <, > for mrkdwn and defuse bare @everyone/@here/@channel."""
    text = (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub(lambda m: "@" + WORD_JOINER + m.group(1), text)


def to_plain(text: str, bot_user_id: str | None = None) -> str:
    """Slack message markup to the plain words a person typed; mentions of the bot are dropped."""

    def token(m: re.Match) -> str:
        target, _, label = m.group(1).partition("|")
        if target.startswith("@"):
            return "" if target[1:] == bot_user_id else "@" + (label or target[1:])
        if target.startswith("#"):
            return "#" + (label or target[1:])
        if target.startswith("!"):
            name = target[1:].split("^")[0]
            return "@" + name if name in ("here", "channel", "everyone") else label or ""
        return label or target

    text = _SLACK_TOKEN.sub(token, text or "")
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return re.sub(r"[ \t]{2,}", " ", text).strip()


def _safe_url(url: str | None) -> str | None:
    if not url or not re.match(r"https?://", url) or any(c.isspace() for c in url):
        return None
    return escape(url).replace("|", "%7C")


def link(url: str | None, title: str) -> str:
    safe = _safe_url(url)
    return f"<{safe}|{escape(title)}>" if safe else escape(title)


def reflow(text: str) -> str:
    """Join hard-wrapped Markdown lines (lists and code blocks keep their lines)."""
    out: list[str] = []
    in_code = False
    for line in (text or "").split("\n"):
        stripped = line.strip()
        if stripped.startswith("```"):
            in_code = not in_code
            out.append(stripped)
            continue
        if in_code or not stripped or not out or not out[-1].strip() or out[-1].startswith("```") or _LIST_ITEM.match(line):
            out.append(line.rstrip() if in_code else _LIST_ITEM.sub("• ", stripped))
        else:
            out[-1] = out[-1].rstrip() + " " + stripped
    return "\n".join(out)


def to_mrkdwn(text: str) -> str:
    """Knowledge Markdown to escaped Slack mrkdwn: **bold** -> *bold*, [t](url) -> <url|t>."""
    text = escape(reflow(text))
    text = _MD_BOLD.sub(r"*\1*", text)
    return _MD_LINK.sub(lambda m: f"<{m.group(2).replace('|', '%7C')}|{m.group(1)}>", text)


def split_sections(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Cut text into pieces under `limit`, at paragraph, then line, then word boundaries."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window, cut = rest[:limit], limit
        for sep in ("\n\n", "\n", " "):
            if window.rfind(sep) > limit // 2:
                cut = window.rfind(sep)
                break
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def feedback_value(reply: Reply) -> str:
    return json.dumps({"ref": reply.audit_id, "route": reply.route, "source": reply.source or ""})


def parse_feedback_value(value: str) -> dict:
    data = json.loads(value)
    if not isinstance(data, dict) or not isinstance(data.get("ref"), int):
        raise ValueError("not a helpbot feedback value")
    return data


def feedback_block(reply: Reply) -> dict | None:
    if reply.audit_id is None or reply.route in ("smalltalk", "admin"):
        return None
    wanted = ["helpbot_feedback_helpful", "helpbot_feedback_not_helpful"]
    if reply.route in ("refuse", "unknown"):
        wanted.append("helpbot_feedback_should_have_answered")
    value = feedback_value(reply)
    buttons = [
        {"type": "button", "action_id": aid, "text": {"type": "plain_text", "text": localize(FEEDBACK_ACTIONS[aid][1], reply.language)}, "value": value}
        for aid in wanted
    ]
    return {"type": "actions", "block_id": FEEDBACK_BLOCK, "elements": buttons}


def closest_sections(reply: Reply) -> bool:
    """A reply that lists the closest doc sections instead of answering (README, Reply record)."""
    return reply.route == "unknown" and "closest_sections" in reply.reasons


def reply_blocks(reply: Reply, feedback: bool = True) -> tuple[str, list[dict]]:
    """(notification text, blocks) for a reply: answer, notes, sources, feedback buttons."""
    answer = to_mrkdwn(reply.answer)
    blocks: list[dict] = [{"type": "section", "text": {"type": "mrkdwn", "text": part}} for part in split_sections(answer)]
    if reply.notes:
        notes = "\n".join(escape(n) for n in reply.notes)
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": split_sections(notes)[0]}]})
    if reply.sources and not closest_sections(reply):  # the closest-sections list already links each title
        cited = " · ".join(dict.fromkeys(link(s.url, s.title) for s in reply.sources))
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": split_sections(f"{localize(strings.SOURCES_LABEL, reply.language)}: {cited}")[0]}]})
    buttons = feedback_block(reply) if feedback else None
    if buttons:
        blocks.append(buttons)
    fallback = split_sections(answer, 3900)[0] if answer else escape(localize(strings.ERROR, reply.language))
    return fallback, blocks


def preview_mrkdwn(text: str) -> str:
    """An answer still being written, as message text (one message's worth)."""
    return split_sections(to_mrkdwn(text), 3900)[0] if text.strip() else "…"


def text_blocks(text: str, code: bool = False) -> tuple[str, list[dict]]:
    """(text, blocks) for a plain notice such as an error, or admin output shown as a code block."""
    pieces = split_sections(escape(text), SECTION_LIMIT - 8) or [" "]
    if code:
        pieces = [f"```{p}```" for p in pieces]
    return pieces[0][:3000], [{"type": "section", "text": {"type": "mrkdwn", "text": p}} for p in pieces]
