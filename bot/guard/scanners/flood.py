from __future__ import annotations

import hashlib

from bot import strings
from bot.guard.base import ScanContext, ScanResult, Scanner
from bot.guard.normalize import match_view
from bot.guard.state import GuardState


class FloodScanner(Scanner):
    """Duplicate suppression, then per-user and per-channel token buckets."""

    name = "flood"
    order = {"input": 30}
    table = "rate_limit"
    defaults = {
        "user_per_minute": 20.0, "user_burst": 8.0,
        "channel_per_minute": 120.0, "channel_burst": 40.0,
        "duplicate_window_s": 60.0, "duplicate_repeats": 2, "duplicate_min_chars": 16,
    }
    replies = {"flood.duplicate": strings.DUPLICATE, "flood": strings.SLOW_DOWN}

    def __init__(self, state: GuardState, limits: dict):
        self.state = state
        self.limits = limits

    @classmethod
    def from_policy(cls, policy: dict, state: GuardState) -> "FloodScanner":
        return cls(state, policy["rate_limit"])

    def scan(self, text: str, context: ScanContext) -> ScanResult:
        lim, now = self.limits, context.now
        user = f"{context.platform}:{context.user_id}"
        if len(text.strip()) >= lim["duplicate_min_chars"]:
            digest = int.from_bytes(hashlib.blake2b(match_view(text).strip().encode(), digest_size=8).digest(), "big")
            if self.state.is_duplicate(user, digest, now, lim["duplicate_window_s"], lim["duplicate_repeats"]):
                return ScanResult(text, "block", 0.3, "flood.duplicate")
        if not self.state.take_token("u:" + user, lim["user_per_minute"] / 60, lim["user_burst"], now):
            return ScanResult(text, "block", 0.3, "flood.user")
        channel = f"c:{context.platform}:{context.channel_id}"
        if not self.state.take_token(channel, lim["channel_per_minute"] / 60, lim["channel_burst"], now):
            return ScanResult(text, "block", 0.3, "flood.channel")
        return ScanResult(text)
