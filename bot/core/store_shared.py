"""State that replicas share through the store (PostgreSQL), behind the interfaces the in-memory
versions have: conversation memory (bot/routing/memory.py), the guard's rate-limit and duplicate
counters (bot/guard/state.py) and the threads an adapter answered in.

Each keeps its in-memory twin up to date and falls back to it while the database is away (logged
at WARNING at most every 30 s, counted in `helpbot_shared_state_fallbacks_total{state}`), so an
outage costs sharing, never an answer. With the SQLite store (one process) the bot uses the
in-memory versions directly (`shared_state`).
"""

from __future__ import annotations

import logging
from typing import Callable, Hashable, TypeVar

from bot.core.store import Store, StoreUnavailable, WarnEvery
from bot.guard.state import GuardState
from bot.routing.memory import ConversationMemory, Turn

log = logging.getLogger("helpbot.store")
T = TypeVar("T")


class Fallback:
    """Runs a store call; on `StoreUnavailable` runs the in-memory one instead (logged, counted)."""

    def __init__(self, state: str, metrics=None):
        self.state, self.metrics = state, metrics
        self._warn = WarnEvery(log)

    def __call__(self, shared: Callable[[], T], local: Callable[[], T]) -> T:
        try:
            return shared()
        except StoreUnavailable as exc:
            if self.metrics is not None:
                self.metrics.shared_state_fallbacks.inc(state=self.state)
            self._warn.warning("%s: kept in this replica's memory only (%s)", self.state, exc)
            return local()


class SharedMemory(ConversationMemory):
    """Conversation memory in the store: a follow-up reaches any replica. Same interface."""

    def __init__(self, store: Store, turns: int = 4, max_conversations: int = 5000, metrics=None):
        super().__init__(turns, max_conversations)
        self.store = store
        self._fallback = Fallback("conversation memory", metrics)

    def last(self, key: str) -> Turn | None:
        def shared() -> Turn | None:
            rows = self.store.last_turns(key, 1) if self.turns else []
            return Turn(*rows[0]) if rows else None

        return self._fallback(shared, lambda: super(SharedMemory, self).last(key))

    def remember(self, key: str, turn: Turn) -> None:
        if not self.turns or not self.max_conversations:
            return
        super().remember(key, turn)
        self._fallback(lambda: self.store.add_turn(key, turn.question, turn.route, turn.source, self.turns), lambda: None)

    def history(self, key: str) -> list[Turn]:
        def shared() -> list[Turn]:
            return [Turn(*row) for row in reversed(self.store.last_turns(key, self.turns))] if self.turns else []

        return self._fallback(shared, lambda: super(SharedMemory, self).history(key))


def _signed(digest: int) -> int:
    """A 64-bit unsigned digest as the signed integer both databases store."""
    return digest - (1 << 64) if digest >= (1 << 63) else digest


class SharedGuardState(GuardState):
    """The guard's token buckets and duplicate history in the store: limits hold across replicas.
    Split-request windows (per-user similarity vectors) stay in each replica's memory."""

    def __init__(self, store: Store, max_keys: int = 10_000, max_history: int = 20, metrics=None):
        super().__init__(max_keys, max_history)
        self.store = store
        self._fallback = Fallback("guard counters", metrics)

    def reset(self) -> None:
        super().reset()
        self._fallback(self.store.clear_guard, lambda: None)

    def take_token(self, key: str, rate_per_s: float, burst: float, now: float) -> bool:
        return self._fallback(lambda: self.store.take_token(key, rate_per_s, burst, now),
                              lambda: super(SharedGuardState, self).take_token(key, rate_per_s, burst, now))

    def is_duplicate(self, key: str, digest: int, now: float, window_s: float, repeats: int) -> bool:
        local = super().is_duplicate(key, digest, now, window_s, repeats)  # keeps the twin current
        return self._fallback(lambda: self.store.seen_digest(key, _signed(digest), now, window_s) >= repeats, lambda: local)


class SharedThreads:
    """The threads an adapter answered in (it follows up there): this replica's cache first, then
    the store. `add` and `__contains__` block: call them in a worker thread."""

    def __init__(self, platform: str, local, store: Store | None = None, metrics=None):
        self.platform, self.local = platform, local  # local: adapters.slack.caches.ExpiringCache or alike
        self.store = store if store is not None and store.shared else None
        self._fallback = Fallback("threads", metrics)

    @staticmethod
    def _key(key: Hashable) -> str:
        return ":".join(map(str, key)) if isinstance(key, tuple) else str(key)

    def add(self, key: Hashable) -> None:
        self.local.set(key)
        if self.store is not None:
            self._fallback(lambda: self.store.add_thread(self.platform, self._key(key)), lambda: None)

    def __contains__(self, key: Hashable) -> bool:
        if key in self.local:
            return True
        if self.store is None:
            return False
        found = self._fallback(lambda: self.store.has_thread(self.platform, self._key(key)), lambda: False)
        if found:
            self.local.set(key)
        return found


def shared_state(store: Store, settings, metrics=None) -> tuple[ConversationMemory, GuardState | None]:
    """The conversation memory and guard state for `store`: in the store when replicas share it,
    else in memory (guard state None: the guard makes its own, sized by its policy)."""
    core = settings.core
    if not store.shared:
        return ConversationMemory(core["memory_turns"], core["memory_conversations"]), None
    memory = SharedMemory(store, core["memory_turns"], core["memory_conversations"], metrics)
    return memory, SharedGuardState(store, metrics=metrics)
