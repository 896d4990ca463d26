"""The guard as a pipeline stage: build the runners from settings, map outcomes to replies and notes.

In: a message's text (input side) or a reply's text with its sources (output side).
Out: a `GuardOutcome` (verdict, sanitized text, reasons), and the block reply or user notes for it.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections import OrderedDict
from functools import lru_cache
from typing import Callable

from bot import strings
from bot.config import Settings
from bot.guard import (NOTE_PII, NOTE_SECRET, NOTE_TRUNCATED, GuardOutcome, GuardRunner, GuardState, ScanContext,
                       build_input_guard, build_output_guard, redact_pii, resolve_policy)
from bot.guard.pii import Span, redact
from bot.guard.policy import read_policy_file
from bot.guard.scanners import reply_for
from bot.messages import Message, Reply

log = logging.getLogger("helpbot.guard")

OUTPUT_CACHE_SIZE = 1024
_NOTES = {NOTE_PII: strings.SECRET_WARNING, NOTE_SECRET: strings.SECRET_WARNING}


class GuardStage:
    def __init__(self, settings: Settings, state: GuardState | None = None):
        """`state`: flood and split-request history to carry over (a reload keeps it).

        The policy is layered: built-in defaults < the settings (`[guard] mode`, `[core] max_input_chars`)
        < what the policy file (`[guard] policy`) sets. Raises ConfigError naming a bad file or key."""
        path = settings.guard["policy"]
        layered = {"mode": settings.guard["mode"], "max_input_chars": settings.core["max_input_chars"]}
        self.policy = policy = resolve_policy({**layered, **(read_policy_file(path) if path else {})})
        self.state = state or GuardState()
        self.input = build_input_guard(policy, self.state)
        self.output = build_output_guard(policy, self.state)
        # Streamed previews: the output scanners that can judge partial text, with the same
        # per-channel modes (the very same dict).
        # (Scanner.whole_text: needs the finished answer.)
        self.preview = GuardRunner([s for s in self.output.scanners if not s.whole_text], self.output.mode)
        self.preview.channel_modes = self.output.channel_modes
        # Logic answers repeat (FAQ answers are fixed per knowledge snapshot): their verdicts are kept,
        # when every output scanner is `pure` (its verdict depends only on the cache key).
        self._output_cache: OrderedDict[tuple, GuardOutcome] | None = (
            OrderedDict() if all(s.pure for s in self.output.scanners) else None)
        self._cache_lock = threading.Lock()
        # Input scanners that only rewrite the text: what the embedding layers read is the text after
        # them, so the pipeline can embed that view before the guard runs.
        self._rewriters = [s for s in self.input.scanners if s.rewrites_only]
        self._names = next((s.names for s in self.input.scanners if getattr(s, "names", None) is not None), None)

    @property
    def mode(self) -> str:
        """enforce | monitor: the mode of every channel without an override."""
        return self.input.mode

    def embed_view(self, text: str) -> str:
        """The text the input guard's embedding layers will read for `text` (normalised, cut,
        personal data and secrets redacted), unless a rule strips part of it first."""
        context = ScanContext()
        for scanner in self._rewriters:
            text = scanner.scan(text, context).text
        return text

    def redact_text(self, text: str) -> str:
        """What the audit log keeps of a message: personal data and secrets redacted, and names
        too when the optional name model is configured (the guard policy's `pii.names_model`)."""
        text = redact_for_log(text)
        if self._names is not None:
            text = redact(text, [Span(a, b, "pii.name", "[NAME]") for a, b in self._names.find(text)])
        return text

    def set_channel_mode(self, channel: str, mode: str | None) -> None:
        for runner in (self.input, self.output):
            if mode is None:
                runner.channel_modes.pop(channel, None)
            else:
                runner.channel_modes[channel] = mode
        if self._output_cache is not None:
            with self._cache_lock:
                self._output_cache.clear()

    def check_input(self, text: str, message: Message, embed: Callable | None) -> GuardOutcome:
        context = ScanContext(user_id=message.user_id, channel_id=message.channel_id, platform=message.platform, embed=embed)
        outcome = self.input.run(text, context)
        if outcome.flags:
            log.warning("guard flags %s for user %s", outcome.flags, message.user_id[:4] + "…")
        return outcome

    def check_output(self, text: str, message: Message, sources: list[str], canary: str = "", system_prompt: str = "",
                     allowed_domains: tuple[str, ...] = (), partial: bool = False) -> GuardOutcome:
        """Check a reply before anyone sees it; `partial` for a streamed answer so far."""
        context = ScanContext(user_id=message.user_id, channel_id=message.channel_id, platform=message.platform,
                              direction="output", sources=sources, canary=canary, system_prompt=system_prompt,
                              allowed_domains=allowed_domains)
        if partial or canary or self._output_cache is None:
            return (self.preview if partial else self.output).run(text, context)
        mode = self.output.channel_modes.get(message.channel_id, self.output.mode)
        key = (text, tuple(sources), system_prompt, tuple(allowed_domains), tuple(context.requested_mentions), mode)
        cache = self._output_cache
        with self._cache_lock:
            outcome = cache.get(key)
        if outcome is None:
            outcome = self.output.run(text, context)
            with self._cache_lock:
                cache[key] = outcome
                if len(cache) > OUTPUT_CACHE_SIZE:
                    cache.popitem(last=False)
        return _copy(outcome)

    @staticmethod
    def user_notes(outcome: GuardOutcome) -> list[str]:
        return list(dict.fromkeys(_NOTES[n] for n in outcome.notes if n in _NOTES and n != NOTE_TRUNCATED))

    @staticmethod
    def block_reply(outcome: GuardOutcome, fmt: Callable[[str], str]) -> Reply:
        """The reply of the first reason a scanner declared a block reply for (`Scanner.replies`)."""
        text = reply_for(outcome.reasons)
        text = fmt(text or strings.BLOCK)
        return Reply("block", text, scores={"risk": round(outcome.risk, 4)}, reasons=list(outcome.reasons) + list(outcome.flags), ephemeral=True)


def _copy(outcome: GuardOutcome) -> GuardOutcome:
    return dataclasses.replace(outcome, reasons=list(outcome.reasons), results=dict(outcome.results),
                               timings_ms=dict(outcome.timings_ms), flags=list(outcome.flags), notes=list(outcome.notes))


@lru_cache(maxsize=512)
def redact_for_log(text: str) -> str:
    return redact_pii(text)  # pure: the same text is redacted for the guard's view and the audit row
