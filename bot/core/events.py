"""Event de-duplication across replicas: the adapters keep their in-memory caches as the fast path
and, when the store is shared (PostgreSQL), claim each event id there too, so that two replicas
never both answer one event. When the database is away, de-duplication falls back to this
replica's memory (logged at WARNING, counted in `helpbot_event_dedup_fallbacks_total`)."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from bot.core.store import FAILED, HANDLED, Store, StoreUnavailable, WarnEvery

log = logging.getLogger("helpbot.events")
MAX_UNFINISHED = 10_000


class EventClaims:
    def __init__(self, store: Store | None, metrics=None, platform: str = ""):
        self.store = store if store is not None and store.shared else None
        self.metrics, self.platform = metrics, platform
        self._warn = WarnEvery(log)
        self._unfinished: dict[str, str] = {}  # event id -> state the database has not recorded yet
        self._lock = threading.Lock()
        # Claims run on their own threads: an event's ack never queues behind answers being computed
        # (those use the default executor).
        self.executor = ThreadPoolExecutor(4, thread_name_prefix=f"helpbot-claims-{platform}") if self.store else None

    @property
    def shared(self) -> bool:
        return self.store is not None

    def claim(self, event_id: str, body: str | None = None) -> bool:
        """True if this replica may answer `event_id` (blocking: call it in a thread). With `body`,
        another replica can answer the event should this one die before it does (`take_over`)."""
        if self.store is None:
            return True
        try:
            return self.store.claim_event(self.platform, event_id, body)
        except StoreUnavailable as exc:
            self._fallback(exc)
            return True

    def finish(self, event_id: str, answered: bool) -> None:
        """Record how it ended: a retry of a failed event may be claimed again (blocking). One the
        database did not take is tried again with the next: a claim left "in flight" would be taken
        over (and answered again) should this replica die."""
        if self.store is None:
            return
        with self._lock:
            self._unfinished[event_id] = HANDLED if answered else FAILED
            while len(self._unfinished) > MAX_UNFINISHED:  # a long outage: the oldest go stale instead
                del self._unfinished[next(iter(self._unfinished))]
            todo = list(self._unfinished.items())
        for pending, state in todo:
            try:
                self.store.finish_event(self.platform, pending, state)
            except StoreUnavailable as exc:
                self._fallback(exc)
                return
            with self._lock:
                if self._unfinished.get(pending) == state:
                    del self._unfinished[pending]

    def take_over(self) -> list[tuple[str, str]]:
        """(event id, body) of events a replica that died had acknowledged but not answered."""
        if self.store is None:
            return []
        try:
            return self.store.take_over(self.platform)
        except StoreUnavailable as exc:
            self._fallback(exc)
            return []

    def _fallback(self, exc: StoreUnavailable) -> None:
        if self.metrics is not None:
            self.metrics.store_fallbacks.inc(platform=self.platform)
        self._warn.warning("%s: event de-duplication in this replica's memory only (%s)", self.platform, exc)
