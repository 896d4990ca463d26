"""A bounded set whose entries expire: handled event ids, threads the bot answered, admin lookups."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any, Callable, Hashable


class ExpiringCache:
    """At most `maxsize` keys, each kept for `ttl` seconds; the oldest go first when full."""

    def __init__(self, maxsize: int, ttl: float, clock: Callable[[], float] = time.monotonic):
        self.maxsize, self.ttl, self.clock = maxsize, ttl, clock
        self._data: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()

    def _expire(self, now: float) -> None:
        while self._data:
            key, (expires, _) = next(iter(self._data.items()))
            if expires > now and len(self._data) <= self.maxsize:
                break
            del self._data[key]

    def get(self, key: Hashable, default: Any = None) -> Any:
        now = self.clock()
        self._expire(now)
        item = self._data.get(key)
        return item[1] if item and item[0] > now else default

    def set(self, key: Hashable, value: Any = True) -> None:
        self._data.pop(key, None)
        self._data[key] = (self.clock() + self.ttl, value)
        self._expire(self.clock())

    def __contains__(self, key: Hashable) -> bool:
        return self.get(key, None) is not None

    def add_if_new(self, key: Hashable) -> bool:
        """Remember `key`; False if it was already there (a duplicate)."""
        if key in self:
            return False
        self.set(key)
        return True

    def __len__(self) -> int:
        self._expire(self.clock())
        return len(self._data)
