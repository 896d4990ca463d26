"""The one message type every adapter produces, and the reply record every message yields."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

ROUTES = ("answer", "partial", "unknown", "refuse", "block", "smalltalk", "admin")


@dataclass(frozen=True)
class Message:
    """A platform-neutral incoming message.

    `conversation_id` groups follow-ups (a Slack thread, a Discord channel+user, a chat session).
    """

    text: str
    platform: str = "console"
    user_id: str = "local"
    channel_id: str = "console"
    conversation_id: str | None = None
    is_admin: bool = False
    raw: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def conversation_key(self) -> str:
        return self.conversation_id or f"{self.platform}:{self.channel_id}:{self.user_id}"


@dataclass
class Source:
    id: str
    title: str
    url: str | None
    score: float
    kind: str = "faq"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True, slots=True)
class Progress:
    """What an adapter may show while a generated answer is being written.

    kind "queued": `position` requests are ahead in the model's line; kind "text": `text` is the
    answer so far, already through the output guard's checks that work on partial text."""

    kind: str
    text: str = ""
    position: int = 0


@dataclass
class Reply:
    """The reply record: one per handled message (see README, "Reply record")."""

    route: str
    answer: str
    sources: list[Source] = field(default_factory=list)
    scores: dict[str, float] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    latency_ms: float = 0.0
    notes: list[str] = field(default_factory=list)
    generated: bool = False
    versions: dict[str, str] = field(default_factory=dict)
    # Set when the reply must only be shown to the asker (refusals, blocks, errors).
    ephemeral: bool = False
    # Row id in the audit log, so adapters can attach feedback clicks to it.
    audit_id: int | None = None
    # The language the reply is written in (bot/i18n.py): adapters pick their labels with it.
    language: str = "en"

    @property
    def source(self) -> str | None:
        return self.sources[0].id if self.sources else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "route": self.route,
            "answer": self.answer,
            "source": self.source,
            "sources": [s.to_dict() for s in self.sources],
            "scores": {k: round(v, 4) for k, v in self.scores.items()},
            "reasons": list(self.reasons),
            "notes": list(self.notes),
            "generated": self.generated,
            "versions": dict(self.versions),
            "latency_ms": round(self.latency_ms, 3),
            "language": self.language,
        }
