"""The SQLite store: one file in HELPBOT_HOME, readable as is with sqlite-utils or Datasette.
The default; one process (replicas need the PostgreSQL store)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any, Sequence

import sqlite_utils
from sqlite_utils.migrations import Migrations

from bot.core.store import Store, purge_shared_state
from bot.errors import HelpbotError

migrations = Migrations("helpbot.audit")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db["settings"].create({"key": str, "value": str}, pk="key")
    db["audit"].create(
        {
            "id": int,
            "ts": str,
            "platform": str,
            "user_hash": str,
            "channel": str,
            "conversation": str,
            "route": str,
            "source": str,
            "sources": str,
            "scores": str,
            "reasons": str,
            "latency_ms": float,
            "text_redacted": str,
            "generated": int,
            "versions": str,
            "message_ref": str,
        },
        pk="id",
    )
    db["audit"].create_index(["ts"])
    db["audit"].create_index(["route"])
    db["feedback"].create(
        {"id": int, "ts": str, "platform": str, "message_ref": str, "user_hash": str, "value": str, "route": str, "source": str},
        pk="id",
    )
    db["reloads"].create(
        {"id": int, "ts": str, "who": str, "ok": int, "dry_run": int, "diff": str, "errors": str, "duration_ms": float},
        pk="id",
    )


@migrations()
def m002_events(db: sqlite_utils.Database) -> None:
    """Event de-duplication: one row per (platform, event id) that a replica claimed."""
    db["events"].create({"platform": str, "event_id": str, "state": str, "ts": str}, pk=("platform", "event_id"))
    db["events"].create_index(["ts"])


@migrations()
def m003_shared_state(db: sqlite_utils.Database) -> None:
    """What replicas share besides the audit log: threads answered in, conversation turns, the
    guard's counters, replicas and their knowledge, Slack installations and OAuth states."""
    db["threads"].create({"platform": str, "key": str, "ts": str}, pk=("platform", "key"))
    db["threads"].create_index(["ts"])
    db["turns"].create({"id": int, "conversation": str, "ts": str, "question": str, "route": str, "source": str}, pk="id")
    db["turns"].create_index(["conversation", "id"])
    db["turns"].create_index(["ts"])
    db["guard_buckets"].create({"key": str, "tokens": float, "at": float, "taken": int}, pk="key")
    db["guard_recent"].create({"key": str, "at": float, "digest": int})
    db["guard_recent"].create_index(["key", "at"])
    db["replicas"].create({"id": str, "host": str, "started": str, "seen": str, "kb": str, "version": str,
                           "ok": int, "error": str}, pk="id")
    db["slack_installations"].create({"enterprise_id": str, "team_id": str, "data": str, "ts": str},
                                     pk=("enterprise_id", "team_id"))
    db["oauth_states"].create({"state": str, "expires": float}, pk="state")
    db["events"].add_column("owner", str)  # the replica that claimed it (claims of a dead replica go stale)
    db["events"].add_column("body", str)  # the event while it is in flight (another replica may take it over)


HANDOFF_COLUMNS = {"id": int, "ts": str, "platform": str, "audit_id": int, "user_hash": str, "channel": str,
                   "message_ref": str, "question": str, "bot_reply": str, "post_ref": str, "state": str, "error": str,
                   "answered_at": str, "answer": str, "answered_by": str, "faq_id": str, "saved_at": str, "saved_by": str}


@migrations()
def m004_handoffs(db: sqlite_utils.Database) -> None:
    """"Ask a person": one row per handoff, updated as people answer it and an admin saves it (bot/handoff/)."""
    db["handoffs"].create(HANDOFF_COLUMNS, pk="id")
    db["handoffs"].create_index(["ts"])
    db["handoffs"].create_index(["platform", "audit_id"], unique=True)  # one handoff per answer
    db["handoffs"].create_index(["platform", "post_ref"])


class SqliteStore(Store):
    engine = "sqlite"
    shared = False  # one process: event de-duplication stays in the adapters' memory

    def __init__(self, path: str | Path | None = None, db: sqlite_utils.Database | None = None):
        self.path = Path(path) if path is not None else None
        self.where = str(path)
        self._lock = threading.Lock()
        if db is not None:
            self.db = db
            return
        try:
            conn = sqlite3.connect(str(path), check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self.db = sqlite_utils.Database(conn)
            migrations.apply(self.db)
        except sqlite3.DatabaseError as exc:
            raise HelpbotError(
                f"audit database {path} is unreadable ({exc}): move it aside (it will be recreated) or set HELPBOT_HOME"
            ) from None

    @classmethod
    def from_database(cls, db: sqlite_utils.Database) -> "SqliteStore":
        migrations.apply(db)
        return cls(db=db)

    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.db.execute(sql, list(params))

    def insert(self, table: str, row: dict[str, Any]) -> int | None:
        # A plain statement on the raw connection: sqlite-utils' insert introspects the table per call.
        sql = f"insert into {table} ({', '.join(row)}) values ({', '.join('?' * len(row))})"
        with self._lock, self.conn:
            return self.conn.execute(sql, list(row.values())).lastrowid

    def add_reason(self, audit_id: int, reason: str) -> None:
        import json

        with self._lock, self.conn:
            row = self.conn.execute("select reasons from audit where id = ?", [audit_id]).fetchone()
            reasons = json.loads(row[0] or "[]") if row else None
            if reasons is not None and reason not in reasons:
                self.conn.execute("update audit set reasons = ? where id = ?", [json.dumps(reasons + [reason]), audit_id])

    def set_setting(self, key: str, value: str | None, only_if_missing: bool = False) -> None:
        with self._lock, self.conn:
            if value is None:
                self.conn.execute("delete from settings where key = ?", [key])
            else:
                verb = "insert or ignore" if only_if_missing else "insert or replace"
                self.conn.execute(f"{verb} into settings (key, value) values (?, ?)", [key, value])

    def write_returning(self, sql: str, params: Sequence[Any]) -> tuple | None:
        with self._lock, self.conn:
            return self.conn.execute(sql, list(params)).fetchone()

    def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self._lock, self.conn:
            return self.conn.execute(sql, list(params)).fetchall()

    def write_script(self, steps: Sequence[tuple[str, Sequence[Any]]]) -> tuple | None:
        with self._lock, self.conn:
            row = None
            for sql, params in steps:
                cur = self.conn.execute(sql, list(params))
                row = cur.fetchone() if cur.description else row
            return row

    def purge_before(self, cutoff: str) -> dict[str, int]:
        with self._lock, self.conn:
            audit = self.conn.execute("delete from audit where ts < ?", [cutoff]).rowcount
            feedback = self.conn.execute("delete from feedback where ts < ?", [cutoff]).rowcount
            for sql, params in purge_shared_state(cutoff):
                self.conn.execute(sql, params)
        with self._lock:
            self.conn.execute("VACUUM")
        return {"audit": audit, "feedback": feedback}

    def close(self) -> None:
        self.db.close()

