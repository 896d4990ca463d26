"""Audit writes and event claims on SQLite vs PostgreSQL: what the shared database adds to an answer.

    python benchmarks/db_bench.py [--n 2000] [--url postgresql://...]

Without --url, a throwaway PostgreSQL server is started in a temporary folder (tests/pg_support.py;
needs Debian's `postgresql` package). The timed call is `AuditLog.record` (one audit row, what every
answer pays) and `Store.claim_event` (what every Slack event pays when replicas share PostgreSQL),
in one thread, as the pipeline calls them, and the shared state one message reads and writes
(guard counters, conversation memory). Goal: PostgreSQL adds <= 1 ms p50 to an answer's audit write.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from machine import describe  # noqa: E402  (benchmarks/machine.py)
from bot.core.audit import AuditLog  # noqa: E402
from bot.core.store_pg import PgStore  # noqa: E402
from bot.core.store_sqlite import SqliteStore  # noqa: E402
from bot.guard.stage import redact_for_log  # noqa: E402
from bot.messages import Message, Reply, Source  # noqa: E402


def _timed(fn, n: int, warmup: int) -> np.ndarray:
    for i in range(warmup):
        fn(-1 - i)
    out = np.empty(n)
    for i in range(n):
        t = time.perf_counter()
        fn(i)
        out[i] = (time.perf_counter() - t) * 1000
    return out


def bench(store, n: int, warmup: int) -> dict[str, np.ndarray]:
    log = AuditLog(store, redact_for_log)
    message = Message("How do I reset my password? my mail is a@b.example", platform="bench", user_id="U1",
                      channel_id="C1", conversation_id="bench:C1")
    reply = Reply("answer", "Use the reset link.", sources=[Source("faq:reset", "Reset", None, 0.9)],
                  scores={"answer": 0.9, "scope": 0.8}, reasons=[], versions={"kb": "x"}, latency_ms=8.0)
    run = time.time_ns()
    return {
        "audit write": _timed(lambda i: log.record(message, reply, "How do I reset my password?"), n, warmup),
        "event claim": _timed(lambda i: store.claim_event("slack", f"Ev{run}-{i}"), n, warmup),
        # what the guard and the router ask the store per message when replicas share it:
        # two token buckets, the duplicate history, the previous turn and the new one
        "shared state per message": _timed(lambda i: _per_message(store, run, i), n, warmup),
    }


def _per_message(store, run: int, i: int) -> None:
    now, user, conversation = time.time(), f"slack:U{i % 50}", f"slack:C1:{run}.{i % 200}"
    store.take_token("u:" + user, 20 / 60, 8.0, now)
    store.take_token("c:slack:C1", 120 / 60, 40.0, now)
    store.seen_digest(user, i, now, 60.0)
    store.last_turns(conversation, 1)
    store.add_turn(conversation, "How do I reset my password?", "answer", "faq:reset", 4)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--url", default="", help="an existing PostgreSQL database (default: a throwaway server)")
    args = parser.parse_args()
    server = None
    url = args.url
    if not url:
        from tests.pg_support import NO_SERVER, PgServer, server_bin

        if server_bin() is None:
            sys.exit(NO_SERVER)
        server = PgServer(server_bin())
        server.start(fsync=True)
        url = server.create_database("bench")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            results = {"sqlite": bench(SqliteStore(Path(tmp) / "helpbot.db"), args.n, args.warmup)}
            pg = PgStore(url)
            results["postgresql"] = bench(pg, args.n, args.warmup)
            pg.close()
    finally:
        if server is not None:
            server.close()
    print(describe("psycopg", "psycopg-pool", "sqlite-utils"))
    print(f"n = {args.n} per measure (after {args.warmup} warm-up calls), one thread")
    print("| measure | SQLite p50 / p95 ms | PostgreSQL p50 / p95 ms | added p50 ms |")
    print("| --- | --- | --- | --- |")
    for measure in results["sqlite"]:
        s, p = results["sqlite"][measure], results["postgresql"][measure]
        sp, pp = np.percentile(s, [50, 95]), np.percentile(p, [50, 95])
        print(f"| {measure} | {sp[0]:.3f} / {sp[1]:.3f} | {pp[0]:.3f} / {pp[1]:.3f} | {pp[0] - sp[0]:+.3f} |")


if __name__ == "__main__":
    main()
