from __future__ import annotations

import numpy as np

from bot import strings
from bot.guard.base import ScanContext, ScanResult, Scanner
from bot.guard.exemplars import get_set, vectors
from bot.guard.normalize import match_view
from bot.guard.rules_harm import EXEMPT
from bot.guard.similarity import calibration, message_vector, top
from bot.guard.state import GuardState

DEFAULT_FLOOR = 0.45


class SplitRequestScanner(Scanner):
    """Harmless-looking steps toward a harmful goal, accumulated per user over a window.

    Each message adds, per goal, how far its similarity exceeds both that goal's floor (the
    similarity ordinary questions reach, fitted on benign data) and the message's similarity
    to the nearest benign service anchor. When a goal's sum over the
    window passes `threshold` with at least `min_messages` contributing, block and raise
    the admin flag split.escalation; the window is then cleared.
    """

    name = "split_requests"
    order = {"input": 100}
    defaults = {"window_s": 900.0, "threshold": 0.30, "min_messages": 2}  # fitted
    replies = {"split": strings.BLOCK_HARM}

    def __init__(self, state: GuardState, window_s: float = defaults["window_s"],
                 threshold: float = defaults["threshold"], min_messages: int = defaults["min_messages"]):
        self.state, self.window_s, self.threshold, self.min_messages = state, window_s, threshold, min_messages

    @classmethod
    def from_policy(cls, policy: dict, state: GuardState) -> "SplitRequestScanner":
        return cls(state, **policy[cls.name])

    def _floors(self, n: int) -> np.ndarray:
        cal = calibration().get("split_goals", {})
        if cal.get("digest") == get_set("split_goals").digest and len(cal.get("floors", ())) == n:
            return np.asarray(cal["floors"], dtype=np.float32)
        return np.full(n, DEFAULT_FLOOR, dtype=np.float32)

    def scan(self, text: str, context: ScanContext) -> ScanResult:
        vec = message_vector(text, context)
        if vec is None or EXEMPT.search(match_view(text)):  # victims and reports do not accumulate
            return ScanResult(text)
        sims = vectors("split_goals", context.embed) @ vec
        benign, _ = top("benign_anchors", vec, context)
        # a message closer to an ordinary service question than to the goal adds nothing
        excess = np.maximum(0.0, sims - np.maximum(self._floors(len(sims)), benign))
        key = f"{context.platform}:{context.user_id}"
        # the same message again is not another step: repeats count once
        window = np.unique(np.stack(self.state.add_to_window(key, excess, context.now, self.window_s)), axis=0)
        totals, contributing = window.sum(axis=0), (window > 0).sum(axis=0)
        goal = int(np.argmax(np.where(contributing >= self.min_messages, totals, 0.0)))
        if totals[goal] >= self.threshold and contributing[goal] >= self.min_messages:
            self.state.clear_window(key)
            code = get_set("split_goals").labels[goal]
            return ScanResult(text, "block", min(1.0, float(totals[goal])), "split.escalation",
                              (code,), ("split.escalation",))
        return ScanResult(text)
