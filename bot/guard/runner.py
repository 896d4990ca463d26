"""Runs a list of scanners in order; each sees the previous one's sanitized text."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

from bot.guard.base import SEVERITY, ScanContext, ScanResult, Scanner

log = logging.getLogger("helpbot.guard")


@dataclass
class GuardOutcome:
    text: str  # final sanitized text
    verdict: str  # worst enforced verdict: block > strip > flag > pass
    risk: float  # max risk over scanners
    reasons: list[str] = field(default_factory=list)  # codes of every non-pass result
    results: dict[str, ScanResult] = field(default_factory=dict)
    timings_ms: dict[str, float] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)  # admin-visible
    notes: list[str] = field(default_factory=list)  # note codes for the user (see base.NOTE_*)
    monitored_block: bool = False  # monitor mode: a block/strip was seen but not enforced

    @property
    def blocked(self) -> bool:
        return self.verdict == "block"


class GuardRunner:
    def __init__(self, scanners: list[Scanner], mode: str = "enforce",
                 channel_modes: dict[str, str] | None = None):
        self.scanners = list(scanners)
        self.mode = mode
        self.channel_modes = dict(channel_modes or {})

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.scanners]

    def run(self, text: str, context: ScanContext | None = None) -> GuardOutcome:
        context = context or ScanContext()
        monitor = self.channel_modes.get(context.channel_id, self.mode) == "monitor"
        out = GuardOutcome(text=text, verdict="pass", risk=0.0)
        current = text
        for scanner in self.scanners:
            start = time.perf_counter()
            try:
                result = scanner.scan(current, context)
            except Exception:  # noqa: BLE001 - a broken scanner must not take the bot down
                log.exception("guard scanner %s failed", scanner.name)
                result = ScanResult(current, "flag", 0.0, f"guard.error.{scanner.name}")
            out.timings_ms[scanner.name] = (time.perf_counter() - start) * 1000
            out.results[scanner.name] = result
            if result.verdict != "pass":
                out.reasons.extend(c for c in (result.reason, *result.extra) if c and c not in out.reasons)
            out.flags.extend(f for f in result.flags if f not in out.flags)
            out.risk = max(out.risk, result.risk)
            if monitor and result.verdict in ("block", "strip"):
                out.monitored_block = True
                continue
            current = result.text
            if SEVERITY[result.verdict] > SEVERITY[out.verdict]:
                out.verdict = result.verdict
            if result.verdict == "block":
                break
        out.text = current
        out.notes = list(context.notes)
        return out

    async def arun(self, text: str, context: ScanContext | None = None) -> GuardOutcome:
        """`run` in a worker thread (the optional model classifier can take a while)."""
        return await asyncio.to_thread(self.run, text, context)
