"""Shared state: one small interface over the database that replicas share.

`[core] database_url` (`HELPBOT_DATABASE_URL`) picks the engine: empty = the SQLite file in
HELPBOT_HOME (`store_sqlite.SqliteStore`), `postgresql://...` = PostgreSQL (`store_pg.PgStore`).
Both hold the same tables (audit, feedback, reloads, settings, events) and answer the same calls.

Reads go through `execute(sql, params)` with `?` placeholders and SQL both engines speak
(`helpbot stats`, `report`, `export` use it). Writes go through the named methods. A write that
fails because the database is away raises `StoreUnavailable`; the audit log turns that into a
WARNING and a metric, never a lost answer.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import socket
import time
import uuid
from typing import Any, Iterator, Sequence

from bot.errors import HelpbotError

# Event states in the `events` table (and the adapters' in-memory caches).
IN_FLIGHT, HANDLED, FAILED = "in flight", "handled", "failed"
# An event "in flight" this long is taken to belong to a replica that died: a retry may claim it.
STALE_CLAIM_S = 120.0
# A replica whose heartbeat (bot/ops/sync.py, every 2 s) is older than this is taken to be gone:
# the events it had in flight may be claimed by a retry at once (SIGKILL, OOM, a lost node).
REPLICA_ALIVE_S = 15.0

# Claim an event: a new (platform, event_id) row, or one that failed or went stale (old, or held
# by a replica that stopped sending heartbeats). Both engines speak this upsert (SQLite >= 3.35);
# a row comes back only to the one caller that claimed it.
CLAIM_SQL = (
    "insert into events (platform, event_id, state, ts, owner, body) values (?, ?, ?, ?, ?, ?) "
    "on conflict (platform, event_id) do update set state = excluded.state, ts = excluded.ts, owner = excluded.owner, "
    "body = excluded.body "
    "where events.state = ? or (events.state = ? and (events.ts < ? or events.owner in "
    "(select id from replicas where seen < ?))) returning 1"
)


class WarnEvery:
    """At most one WARNING per `seconds` while something keeps failing (each failure is counted elsewhere)."""

    def __init__(self, logger, seconds: float = 30.0):
        self.log, self.seconds, self._last = logger, seconds, None

    def warning(self, message: str, *args) -> None:
        now = time.monotonic()
        if self._last is None or now - self._last >= self.seconds:
            self._last = now
            self.log.warning(message, *args)


class StoreUnavailable(Exception):
    """The database did not answer a write; the caller degrades (answers without the row)."""


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


def ago_iso(seconds: float) -> str:
    return (dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=seconds)).isoformat(timespec="milliseconds")


def events_cutoff(cutoff: str) -> str:
    """Event claims matter for Slack's hour of retries: purge keeps one day of them at most."""
    return max(cutoff, ago_iso(24 * 3600))


THREADS_TTL_S = 7 * 24 * 3600  # a thread the bot answered in is followed this long
TURNS_TTL_S = 24 * 3600  # conversation turns (questions) are kept at most a day
GUARD_TTL_S = 3600  # the guard's duplicate history is short-lived (its window is a minute by default)


def purge_shared_state(cutoff: str) -> list[tuple[str, list]]:
    """What `purge` deletes besides audit and feedback rows: short-lived shared state."""
    import time as _time

    return [
        ("delete from events where ts < ?", [events_cutoff(cutoff)]),
        ("delete from handoffs where ts < ?", [cutoff]),  # "Ask a person" rows live as long as the audit log
        ("delete from threads where ts < ?", [max(cutoff, ago_iso(THREADS_TTL_S))]),
        ("delete from turns where ts < ?", [max(cutoff, ago_iso(TURNS_TTL_S))]),
        ("delete from guard_recent where at < ?", [_time.time() - GUARD_TTL_S]),
        ("delete from guard_buckets where at < ?", [_time.time() - GUARD_TTL_S]),
        ("delete from oauth_states where expires < ?", [_time.time()]),
        ("delete from replicas where seen < ?", [ago_iso(24 * 3600)]),  # replicas gone for a day (killed)
    ]


def _refill(rate: float, burst: float) -> tuple[str, list]:
    """SQL for a token bucket's tokens after refilling since its last use (both engines)."""
    elapsed = "(case when excluded.at > guard_buckets.at then excluded.at - guard_buckets.at else 0 end)"
    return (f"(case when guard_buckets.tokens + {elapsed} * ? >= ? then ? else guard_buckets.tokens + {elapsed} * ? end)",
            [rate, burst, burst, rate])


def take_token_sql(key: str, rate: float, burst: float, now: float) -> tuple[str, list]:
    """One atomic upsert: refill the bucket, take a token if one is there; returns (taken,)."""
    refill, params = _refill(rate, burst)
    first = 1 if burst >= 1 else 0
    sql = ("insert into guard_buckets (key, tokens, at, taken) values (?, ?, ?, ?) on conflict (key) do update set "
           f"tokens = case when {refill} >= 1 then {refill} - 1 else {refill} end, "
           f"taken = case when {refill} >= 1 then 1 else 0 end, "
           "at = case when excluded.at > guard_buckets.at then excluded.at else guard_buckets.at end returning taken")
    return sql, [key, burst - first, now, first, *params, *params, *params, *params]


class Rows:
    """Fetched rows with the cursor calls the readers use (fetchone, fetchall, iteration, description)."""

    def __init__(self, rows: Sequence[tuple], description: Sequence | None = None, rowcount: int = -1):
        self.rows, self.description, self.rowcount = list(rows), description, rowcount
        self._next = 0

    def fetchone(self) -> tuple | None:
        if self._next >= len(self.rows):
            return None
        self._next += 1
        return self.rows[self._next - 1]

    def fetchall(self) -> list[tuple]:
        rest, self._next = self.rows[self._next:], len(self.rows)
        return rest

    def __iter__(self) -> Iterator[tuple]:
        while (row := self.fetchone()) is not None:
            yield row


class Store:
    """What both engines implement. `engine` is "sqlite" or "postgresql"; `where` names the
    database for messages (credentials masked)."""

    engine = ""
    where = ""
    shared = True  # replicas share it: adapters claim events here as well as in memory

    @functools.cached_property
    def replica(self) -> str:
        """This process's name among the replicas (event claims, heartbeats): host:pid:random."""
        return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run portable SQL (`?` placeholders); returns a cursor-like object."""
        raise NotImplementedError

    def insert(self, table: str, row: dict[str, Any]) -> int | None:
        """Insert one row into audit, feedback or reloads; returns its id."""
        raise NotImplementedError

    def add_reason(self, audit_id: int, reason: str) -> None:
        raise NotImplementedError

    def get_setting(self, key: str) -> str | None:
        row = self.execute("select value from settings where key = ?", [key]).fetchone()
        return row[0] if row else None

    def settings_with_prefix(self, prefix: str) -> dict[str, str]:
        rows = self.execute("select key, value from settings where key like ?", [prefix + "%"]).fetchall()
        return {key: value for key, value in rows}

    def set_setting(self, key: str, value: str | None, only_if_missing: bool = False) -> None:
        """Set `key` (None deletes it); `only_if_missing` keeps a value another replica set first."""
        raise NotImplementedError

    def claim_event(self, platform: str, event_id: str, body: str | None = None) -> bool:
        """True for the one caller (across replicas) that may answer this event now. `body` (the
        event as received) is kept while it is in flight, so a replica may take it over (`take_over`)."""
        row = self.write_returning(CLAIM_SQL, [platform, event_id, IN_FLIGHT, now_iso(), self.replica, body, FAILED,
                                               IN_FLIGHT, ago_iso(STALE_CLAIM_S), ago_iso(REPLICA_ALIVE_S)])
        return row is not None

    def finish_event(self, platform: str, event_id: str, state: str) -> None:
        self.write_returning("update events set state = ?, ts = ?, body = null where platform = ? and event_id = ?",
                             [state, now_iso(), platform, event_id])

    def take_over(self, platform: str) -> list[tuple[str, str]]:
        """Events a dead replica had acknowledged but not answered: (event id, body) for this replica
        to answer. Each goes to one replica (the row turns FAILED, so the next claim of it wins)."""
        return self.fetch(
            "update events set state = ?, owner = ?, ts = ? where platform = ? and state = ? and body is not null "
            "and owner <> ? and owner in (select id from replicas where seen < ?) returning event_id, body",
            [FAILED, self.replica, now_iso(), platform, IN_FLIGHT, self.replica, ago_iso(REPLICA_ALIVE_S)])

    def write_returning(self, sql: str, params: Sequence[Any]) -> tuple | None:
        """Run one write; the first row it returns, if any."""
        raise NotImplementedError

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        """A read on the answer's path: like a write, raises `StoreUnavailable` when the database is away."""
        raise NotImplementedError

    def write_script(self, steps: Sequence[tuple[str, Sequence[Any]]]) -> tuple | None:
        """Run several statements in one transaction; the last row a statement returned, if any."""
        raise NotImplementedError

    def purge_before(self, cutoff: str) -> dict[str, int]:
        """Delete audit, feedback (and event, thread, turn, guard) rows older than `cutoff`, then compact."""
        raise NotImplementedError

    # -- shared state of the adapters, the router and the guard (bot/core/store_shared.py) -------------
    def add_thread(self, platform: str, key: str) -> None:
        self.write_returning("insert into threads (platform, key, ts) values (?, ?, ?) on conflict (platform, key) "
                             "do update set ts = excluded.ts", [platform, key, now_iso()])

    def has_thread(self, platform: str, key: str) -> bool:
        return bool(self.fetch("select 1 from threads where platform = ? and key = ? and ts >= ?",
                               [platform, key, ago_iso(THREADS_TTL_S)]))

    def add_turn(self, conversation: str, question: str, route: str, source: str | None, keep: int) -> None:
        """Append a turn and keep the conversation's last `keep`."""
        self.write_script([
            ("insert into turns (conversation, ts, question, route, source) values (?, ?, ?, ?, ?)",
             [conversation, now_iso(), question, route, source]),
            ("delete from turns where conversation = ? and id not in "
             "(select id from turns where conversation = ? order by id desc limit ?)", [conversation, conversation, keep]),
        ])

    def last_turns(self, conversation: str, limit: int) -> list[tuple[str, str, str | None]]:
        """(question, route, source), newest first, of the last day."""
        return self.fetch("select question, route, source from turns where conversation = ? and ts >= ? "
                          "order by id desc limit ?", [conversation, ago_iso(TURNS_TTL_S), limit])

    def take_token(self, key: str, rate_per_s: float, burst: float, now: float) -> bool:
        row = self.write_returning(*take_token_sql(key, rate_per_s, burst, now))
        return bool(row and row[0])

    def seen_digest(self, key: str, digest: int, now: float, window_s: float) -> int:
        """Record a message digest; how often it was seen within the window before."""
        row = self.write_script([
            ("select count(*) from guard_recent where key = ? and digest = ? and at >= ?", [key, digest, now - window_s]),
            ("insert into guard_recent (key, at, digest) values (?, ?, ?)", [key, now, digest]),
        ])
        return int(row[0]) if row else 0

    def clear_guard(self) -> None:
        self.write_script([("delete from guard_buckets", []), ("delete from guard_recent", [])])

    def close(self) -> None:
        pass


def open_store(settings, setting_name: str = "HELPBOT_DATABASE_URL ([core] database_url)") -> Store:
    """The store the settings name: the SQLite file in HELPBOT_HOME, or the PostgreSQL URL."""
    url = (settings.core.get("database_url") or "").strip()
    if not url:
        from bot.core.store_sqlite import SqliteStore
        from bot.paths import audit_path

        return SqliteStore(audit_path(settings))
    if url.split("://", 1)[0].lower() in ("postgresql", "postgres"):
        from bot.core.store_pg import PgStore

        return PgStore(url, setting_name)
    from bot.config import mask_url_credentials

    raise HelpbotError(f"{setting_name} = {mask_url_credentials(url)!r} is not a database URL: "
                       "leave it empty for the SQLite file in HELPBOT_HOME, or use postgresql://user:password@host:5432/dbname")


def as_store(db) -> Store:
    """A Store, also from a sqlite-utils Database (what older callers and tests pass)."""
    if isinstance(db, Store):
        return db
    from bot.core.store_sqlite import SqliteStore

    return SqliteStore.from_database(db)
