"""Plan a message before any model runs: style request, parts, follow-up reading. Plain logic only.

The plan lists every text to embed, so a message costs one batch call however it splits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.routing.memory import ConversationMemory, Turn, combine, is_follow_up_like
from bot.routing.split import split_message
from bot.routing.style import StyleRequest, find_style, is_bare_ask

_LEADING_GREETING = re.compile(r"^(hi+|hello+|hey+|good (morning|afternoon|evening))( there)?[\s,!.]+(?=\S)", re.I)
_HAS_WORD = re.compile(r"[^\W\d_]", re.UNICODE)
_MENTION = re.compile(r"<[@#!][^>\s]{1,80}>|(?<!\w)@(?:here|channel|everyone)\b")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.I)


# Polite wrappers around a question carry no topic: "Can you tell me how to invite a member?"
_WRAPPER = re.compile(
    r"^(?:(?:please|so|ok(?:ay)?|hey)[,\s]+)*(?:(?:can|could|would) you (?:please )?(?:tell|show|explain to) me|"
    r"(?:please )?(?:tell|show) me|(?:please )?explain(?: to me)?|i(?:'d| would) like to know|i want to know|"
    r"do you know)\s+(?=(?:how|what|why|where|when|who|which|if|whether)\b)",
    re.I,
)


def strip_greeting(text: str) -> str:
    return _LEADING_GREETING.sub("", text.strip(), count=1)


def retrieval_text(text: str) -> str:
    """The part as it is searched: no greeting, no polite wrapper."""
    clean = strip_greeting(text) or text
    return _WRAPPER.sub("", clean, count=1) or clean


@dataclass
class Part:
    """One request in a message. `text` is what is retrieved; `alone` is the follow-up by itself."""

    asked: str  # as written (shown when the part is declined)
    text: str
    alone: str | None = None  # set when `text` reads the part together with the previous question
    previous: Turn | None = None

    @property
    def texts(self) -> list[str]:
        return [self.text] + ([self.alone] if self.alone and self.alone != self.text else [])


@dataclass
class Plan:
    parts: list[Part] = field(default_factory=list)
    style: StyleRequest | None = None
    reasons: list[str] = field(default_factory=list)
    dropped_parts: int = 0
    conversation: str = ""
    decline: str | None = None  # a reason code when logic alone declines (nothing to retrieve)
    whole: Part | None = None  # the message as one part, when its split is tentative (the router decides)

    @property
    def embed_texts(self) -> list[str]:
        parts = self.parts + ([self.whole] if self.whole is not None else [])
        return list(dict.fromkeys(t for p in parts for t in p.texts))


def make_plan(
    text: str,
    conversation: str,
    memory: ConversationMemory | None,
    max_parts: int = 4,
    is_smalltalk=None,
    style: StyleRequest | None = None,
    vocabulary=None,
) -> Plan:
    """`style`: given when the caller already cut the style request from `text` (not when bare)."""
    plan = Plan(conversation=conversation)
    previous = memory.last(conversation) if memory is not None else None
    if style is None or not style.found:
        style = find_style(text)
    if style.found:
        plan.style = style
        plan.reasons += ["style.unsupported"] + [f"style.{k}" for k in style.kinds]
        if style.bare:
            if previous is None:
                plan.decline = "style.no_question"
                plan.reasons.append("style.no_question")
                return plan
            plan.reasons.append("followup.style")
            plan.parts = [Part(text, previous.question, previous=previous)]
            return plan
        text = find_style(text).text  # no-op when the caller cut it already
    no_mentions = _MENTION.sub(" ", text)
    if not _HAS_WORD.search(_URL.sub(" ", no_mentions)):
        # only emoji, symbols, numbers, links or mentions: nothing to look up
        kind = "url_only" if _URL.search(text) else "mention_only" if _MENTION.search(text) else "no_words"
        plan.decline = f"input.{kind}"
        plan.reasons.append(plan.decline)
        return plan
    text = " ".join(no_mentions.split())
    split = split_message(text, max_parts, is_smalltalk, vocabulary)
    if split.tentative:
        plan.whole = Part(text, retrieval_text(text))
    plan.reasons += split.reasons
    plan.dropped_parts = split.dropped
    asked = [p for p in split.parts if not (len(split.parts) > 1 and is_bare_ask(p))] or split.parts
    for part in asked:
        plan.parts.append(Part(part, retrieval_text(part)))
    if previous is not None and len(plan.parts) == 1 and is_follow_up_like(plan.parts[0].text):
        only = plan.parts[0]
        plan.parts = [Part(only.asked, combine(previous.question, only.text), alone=only.text, previous=previous)]
        plan.reasons.append("followup.candidate")
    return plan
