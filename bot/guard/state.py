"""Per-user / per-channel in-memory state, bounded in size (least recently used keys go)."""

from __future__ import annotations

import threading
from collections import OrderedDict, deque

import numpy as np


class _LRU(OrderedDict):
    def __init__(self, max_keys: int):
        super().__init__()
        self.max_keys = max_keys

    def touch(self, key, default_factory):
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = self[key] = default_factory()
        while len(self) > self.max_keys:
            self.popitem(last=False)
        return value


class GuardState:
    """Rate-limit buckets, recent messages (duplicates) and split-request windows."""

    def __init__(self, max_keys: int = 10_000, max_history: int = 20):
        self.lock = threading.Lock()
        self.max_history = max_history
        self.buckets = _LRU(max_keys)  # key -> [tokens, last_time]
        self.recent = _LRU(max_keys)  # user key -> deque[(time, text hash)]
        self.windows = _LRU(max_keys)  # user key -> deque[(time, goal similarities)]

    def reset(self) -> None:
        """Forget every user's history (tests; an admin clearing a false flood block)."""
        with self.lock:
            self.buckets.clear()
            self.recent.clear()
            self.windows.clear()

    def take_token(self, key: str, rate_per_s: float, burst: float, now: float) -> bool:
        """Token bucket: True if a token was available (and take it)."""
        with self.lock:
            bucket = self.buckets.touch(key, lambda: [burst, now])
            tokens = min(burst, bucket[0] + max(0.0, now - bucket[1]) * rate_per_s)
            bucket[1] = now
            if tokens >= 1.0:
                bucket[0] = tokens - 1.0
                return True
            bucket[0] = tokens
            return False

    def is_duplicate(self, key: str, digest: int, now: float, window_s: float, repeats: int) -> bool:
        """Record the message; True if it was seen `repeats` times already within the window."""
        with self.lock:
            history = self.recent.touch(key, lambda: deque(maxlen=self.max_history))
            while history and now - history[0][0] > window_s:
                history.popleft()
            seen = sum(1 for _, d in history if d == digest)
            history.append((now, digest))
            return seen >= repeats

    def add_to_window(self, key: str, sims: np.ndarray, now: float, window_s: float) -> list[np.ndarray]:
        """Append this message's goal similarities; return those of the window (oldest first)."""
        with self.lock:
            window = self.windows.touch(key, lambda: deque(maxlen=self.max_history))
            while window and now - window[0][0] > window_s:
                window.popleft()
            window.append((now, sims))
            return [s for _, s in window]

    def clear_window(self, key: str) -> None:
        with self.lock:
            self.windows.pop(key, None)
