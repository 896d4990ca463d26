"""Shared state beyond the audit log, on both engines: threads answered in, conversation turns, the
guard's token buckets and duplicate history; replicas (two stores on one PostgreSQL) see each
other's, and an outage falls back to the replica's memory and resumes after it."""

from __future__ import annotations

import threading

import pytest

from bot.config import load_settings
from bot.core.metrics import Metrics
from bot.core.store import ago_iso, now_iso, open_store
from bot.core.store_shared import SharedGuardState, SharedMemory, SharedThreads, shared_state
from bot.guard.state import GuardState
from bot.routing.memory import ConversationMemory, Turn



@pytest.fixture
def pg_pair(pg_url):
    """Two replicas' stores on one PostgreSQL database."""
    settings = load_settings(env={"HELPBOT_DATABASE_URL": pg_url})
    a, b = open_store(settings), open_store(settings)
    yield a, b
    a.close()
    b.close()


def test_threads_and_turns_round_trip(store):
    assert not store.has_thread("slack", "C1:1.0")
    store.add_thread("slack", "C1:1.0")
    store.add_thread("slack", "C1:1.0")  # again: one row
    assert store.has_thread("slack", "C1:1.0") and not store.has_thread("discord", "C1:1.0")
    assert store.execute("select count(*) from threads").fetchone()[0] == 1
    for n in range(5):
        store.add_turn("slack:C1:1.0", f"question {n}", "answer", f"faq:{n}" if n % 2 else None, keep=3)
    assert store.last_turns("slack:C1:1.0", 10) == [("question 4", "answer", None), ("question 3", "answer", "faq:3"),
                                                     ("question 2", "answer", None)]
    assert store.last_turns("slack:other", 1) == []


def test_the_token_bucket_in_the_store_behaves_like_the_one_in_memory(store):
    memory, now = GuardState(), 1000.0
    steps = [0.0, 0.0, 0.0, 0.0, 0.1, 1.0, 0.0, 0.0, 5.0, 0.0, 0.0, 0.0, 0.0, 120.0]
    got, expected = [], []
    for dt in steps:
        now += dt
        got.append(store.take_token("u:slack:U1", 0.5, 3.0, now))
        expected.append(memory.take_token("u:slack:U1", 0.5, 3.0, now))
    assert got == expected and True in got and False in got
    # a clock a little behind (another replica) never adds tokens
    assert store.take_token("u:slack:U2", 0.5, 1.0, now) is True
    assert store.take_token("u:slack:U2", 0.5, 1.0, now - 30) is False


def test_duplicate_history_counts_within_the_window(store):
    seen = [store.seen_digest("slack:U1", -42, t, 60.0) for t in (0.0, 1.0, 2.0, 61.5)]
    assert seen == [0, 1, 2, 1]  # at 61.5 s the first two left the 60 s window
    assert store.seen_digest("slack:U1", 7, 71.0, 60.0) == 0


def test_purge_removes_old_shared_state(store):
    store.add_thread("slack", "C1:1.0")
    store.add_turn("k", "q", "answer", None, keep=4)
    store.seen_digest("k", 1, 0.0, 60.0)  # at unix time 0: long gone
    store.purge_before(ago_iso(90 * 24 * 3600))  # retention: 90 days; threads are kept a week, turns a day
    assert store.has_thread("slack", "C1:1.0") and store.last_turns("k", 1)
    assert store.execute("select count(*) from guard_recent").fetchone()[0] == 0
    store.purge_before(now_iso())  # `purge --days 0`: everything goes
    assert not store.has_thread("slack", "C1:1.0") and not store.last_turns("k", 1)


def test_sqlite_keeps_memory_and_guard_state_in_process(tmp_path):
    settings = load_settings(env={"HELPBOT_HOME": str(tmp_path)})
    store = open_store(settings)
    try:
        memory, guard_state = shared_state(store, settings)
        assert type(memory) is ConversationMemory and guard_state is None
    finally:
        store.close()


def test_replicas_share_conversation_memory_guard_counters_and_threads(pg_pair):
    a, b = pg_pair
    settings = load_settings(env={})
    (memory_a, guard_a), (memory_b, guard_b) = shared_state(a, settings), shared_state(b, settings)
    assert isinstance(memory_a, SharedMemory) and isinstance(guard_b, SharedGuardState)
    memory_a.remember("slack:C1:1.0", Turn("How do I reset my password?", "answer", "faq:reset"))
    assert memory_b.last("slack:C1:1.0") == Turn("How do I reset my password?", "answer", "faq:reset")
    assert memory_b.history("slack:C1:1.0") == [Turn("How do I reset my password?", "answer", "faq:reset")]
    assert memory_b.last("slack:C2:1.0") is None
    # a user's burst is shared: three tokens in all, whichever replica they ask
    taken = [(guard_a, guard_b)[n % 2].take_token("u:slack:U1", 0.0, 3.0, 100.0 + n) for n in range(5)]
    assert taken == [True, True, True, False, False]
    assert not guard_a.is_duplicate("slack:U1", 2**64 - 5, 100.0, 60.0, 1)  # digests are unsigned 64-bit
    assert guard_b.is_duplicate("slack:U1", 2**64 - 5, 101.0, 60.0, 1)
    threads_a = SharedThreads("slack", _Cache(), a)
    threads_b = SharedThreads("slack", _Cache(), b)
    threads_a.add(("C1", "1.0"))
    assert ("C1", "1.0") in threads_b and ("C1", "2.0") not in threads_b


def test_racing_replicas_never_hand_out_more_tokens_than_the_burst(pg_pair):
    a, b = pg_pair
    taken = []
    lock = threading.Lock()

    def replica(store):
        for _ in range(20):
            got = store.take_token("c:slack:C1", 0.0, 10.0, 100.0)
            with lock:
                taken.append(got)

    threads = [threading.Thread(target=replica, args=((a, b)[i % 2],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(taken) == 10


def test_an_outage_falls_back_to_memory_and_sharing_resumes_after_it(pg_server, pg_url, monkeypatch):
    from bot.core import store_pg

    monkeypatch.setattr(store_pg, "RETRY_S", 0.2)
    settings = load_settings(env={"HELPBOT_DATABASE_URL": pg_url})
    store, metrics = open_store(settings), Metrics()
    try:
        memory, guard = shared_state(store, settings, metrics)
        threads = SharedThreads("slack", _Cache(), store, metrics)
        pg_server.stop()
        try:
            memory.remember("k", Turn("first question", "answer", None))
            assert memory.last("k") == Turn("first question", "answer", None)  # from this replica's memory
            assert guard.take_token("u:x", 0.0, 1.0, 1.0) is True and guard.take_token("u:x", 0.0, 1.0, 2.0) is False
            threads.add(("C1", "1.0"))
            assert ("C1", "1.0") in threads and ("C9", "1.0") not in threads
        finally:
            pg_server.start()
        counted = {s: metrics.shared_state_fallbacks.value(state=s) for s in ("conversation memory", "guard counters", "threads")}
        assert all(v >= 1 for v in counted.values()), counted
        import time

        from bot.core.store import StoreUnavailable

        deadline = time.monotonic() + 10  # writes resume on their own once the server is back
        while True:
            memory.remember("k", Turn("second question", "answer", None))
            try:
                if store.last_turns("k", 1) == [("second question", "answer", None)]:
                    break
            except StoreUnavailable:
                pass
            assert time.monotonic() < deadline, "shared conversation memory did not resume"
            time.sleep(0.2)
    finally:
        store.close()


class _Cache:
    """A minimal local cache (what adapters.slack.caches.ExpiringCache offers SharedThreads)."""

    def __init__(self):
        self.keys = set()

    def set(self, key, value=True):
        self.keys.add(key)

    def __contains__(self, key):
        return key in self.keys


def test_events_held_by_a_replica_that_stopped_sending_heartbeats_can_be_claimed_again(pg_pair):
    a, b = pg_pair
    assert a.replica != b.replica
    beat = "insert into replicas (id, seen) values (?, ?) on conflict (id) do update set seen = excluded.seen"
    a.write_returning(beat, [a.replica, now_iso()])
    assert a.claim_event("slack", "EvDIES") is True
    assert b.claim_event("slack", "EvDIES") is False  # a is alive: its claim holds
    a.write_returning(beat, [a.replica, ago_iso(60)])  # a was killed a minute ago
    assert b.claim_event("slack", "EvDIES") is True
    assert a.claim_event("slack", "EvDIES") is False  # now b holds it


def test_a_replica_never_takes_over_its_own_events(pg_pair):
    a, _ = pg_pair
    beat = "insert into replicas (id, seen) values (?, ?)"
    a.write_returning(beat, [a.replica, ago_iso(60)])  # its heartbeat lagged (a busy replica)
    assert a.claim_event("slack", "EvMINE", '{"type": "event_callback"}')
    assert a.take_over("slack") == []
