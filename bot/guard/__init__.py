"""helpbot's abuse and misuse guard: one scanner per file (`scanners/`), the policy, the runner,
and `stage.GuardStage`, the pipeline's view of it. See docs/guard.md.

In: a message's text (or a reply with its sources) and a `ScanContext`. Out: a `GuardOutcome`
(pass / flag / strip / block, the sanitized text, reason codes).

    from bot.guard import build_input_guard, ScanContext
    guard = build_input_guard()
    outcome = guard.run(text, ScanContext(user_id=..., embed=cached_embed))
"""

from __future__ import annotations

from bot.guard.base import (NOTE_PII, NOTE_SECRET, NOTE_TRUNCATED, NOTES, ScanContext, ScanResult,
                            Scanner)
from bot.guard.build import build_input_guard, build_output_guard
from bot.guard.knowledge import scan_knowledge_chunk
from bot.guard.normalize import normalize
from bot.guard.pii import find_pii, redact, resolve
from bot.guard.policy import default_policy, load_policy, resolve_policy
from bot.guard.runner import GuardOutcome, GuardRunner
from bot.guard.secrets import find_secrets
from bot.guard.state import GuardState


def redact_pii(text: str) -> str:
    """Personal data and secrets replaced by placeholders ([EMAIL], [SECRET], ...): for logs."""
    text = normalize(text)
    return redact(text, resolve(find_pii(text) + find_secrets(text)))


__all__ = [
    "GuardOutcome", "GuardRunner", "GuardState", "NOTE_PII", "NOTE_SECRET",
    "NOTE_TRUNCATED", "NOTES", "ScanContext", "ScanResult", "Scanner", "build_input_guard",
    "build_output_guard", "default_policy", "load_policy", "normalize", "redact_pii", "resolve_policy",
    "scan_knowledge_chunk",
]
