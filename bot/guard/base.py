"""The guard's contract: every scanner takes text + context and returns a ScanResult."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Callable, ClassVar

import numpy as np

VERDICTS = ("pass", "flag", "strip", "block")  # ordered by severity
SEVERITY = {v: i for i, v in enumerate(VERDICTS)}

# Note codes scanners append to ScanContext.notes; the pipeline renders them.
NOTE_TRUNCATED = "note.input_truncated"
NOTE_SECRET = "note.secret_posted"  # "don't post secrets; delete the message and rotate it"
NOTE_PII = "note.pii_redacted"
# Default English renderings; the pipeline may translate or replace them.
NOTES = {
    NOTE_TRUNCATED: "Your message was long, so only its beginning was read.",
    NOTE_SECRET: "Please don't post passwords or tokens: delete that message and change the secret.",
    NOTE_PII: "Personal details in your message were hidden before processing.",
}


@dataclass
class ScanResult:
    text: str  # sanitized text; unchanged if nothing to do
    verdict: str = "pass"  # "pass" | "flag" | "strip" | "block"
    risk: float = 0.0  # 0..1
    reason: str | None = None  # machine-readable code, e.g. "injection.rule"
    extra: tuple[str, ...] = ()  # further reason codes (e.g. several PII types)
    flags: tuple[str, ...] = ()  # admin-visible flags, e.g. "split.escalation"


@dataclass
class ScanContext:
    user_id: str = "local"
    channel_id: str = "console"
    platform: str = "console"
    direction: str = "input"  # or "output"
    embed: Callable[[str], np.ndarray] | None = None  # shared, cached per message
    now: float = field(default_factory=time.time)
    sources: list[str] = field(default_factory=list)  # output: retrieved knowledge texts
    system_prompt: str = ""
    canary: str = ""
    allowed_domains: tuple[str, ...] = ()
    requested_mentions: tuple[str, ...] = ()
    notes: list[str] = field(default_factory=list)

    def add_note(self, note: str) -> None:
        if note not in self.notes:
            self.notes.append(note)


class Scanner(ABC):
    """Extension point: one file declares everything the guard needs to know about a scanner.

    The policy defaults, the default input/output lists, the block replies and the generated table
    in docs/guard.md derive from these attributes (see scanners/__init__.py).
    """

    name: str = "scanner"  # the name in the policy's input/output lists
    order: ClassVar[dict[str, int]] = {}  # direction ("input" / "output") -> position in its default list
    default_on: ClassVar[bool] = True  # False: known, but not in the default lists
    table: ClassVar[str | None] = None  # its policy table; `name` when it has `defaults`
    defaults: ClassVar[dict] = {}  # that table's settings and defaults
    replies: ClassVar[dict[str, str]] = {}  # reason code or prefix ("flood") -> block reply ({service} filled)
    rewrites_only: ClassVar[bool] = False  # input: only rewrites the text (never blocks, keeps no state)
    pure: ClassVar[bool] = False  # output: verdict depends only on the text and the context's cache-key fields
    whole_text: ClassVar[bool] = False  # output: needs the finished answer (skipped for streamed previews)

    @classmethod
    def policy_table(cls) -> str | None:
        return (cls.table or cls.name) if cls.defaults else None

    @classmethod
    def from_policy(cls, policy: dict, state) -> "Scanner":
        """Build from a resolved policy (see policy.py) and the shared GuardState: by default,
        its own table's settings as keyword arguments."""
        table = cls.policy_table()
        return cls(**policy[table]) if table else cls()

    @abstractmethod
    def scan(self, text: str, context: ScanContext) -> ScanResult: ...


def passed(text: str) -> ScanResult:
    return ScanResult(text=text, verdict="pass", risk=0.0, reason=None)
