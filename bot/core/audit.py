"""The audit log: one row per handled message, readable as is with sqlite-utils or Datasette."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
import sqlite3
import threading
from pathlib import Path
from typing import Callable

import sqlite_utils
from sqlite_utils.migrations import Migrations

from bot.errors import HelpbotError
from bot.messages import Message, Reply

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


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="milliseconds")


class AuditLog:
    def __init__(self, path: Path, redact: Callable[[str], str], store_text: bool = True):
        """`store_text` False (`[audit] store_text = false`): rows keep no user text at all, not even
        redacted; only the user hash, route, sources, scores, reasons and the like."""
        self.path = path
        self.redact = redact
        self.store_text = store_text
        self._lock = threading.Lock()
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
        self._salt = self._get_salt()
        self._conn = conn

    _AUDIT_COLUMNS = ("ts", "platform", "user_hash", "channel", "conversation", "route", "source", "sources", "scores",
                      "reasons", "latency_ms", "text_redacted", "generated", "versions", "message_ref")
    # One prepared statement on the raw connection: sqlite-utils' insert introspects the table per call.
    _AUDIT_INSERT = f"insert into audit ({', '.join(_AUDIT_COLUMNS)}) values ({', '.join('?' * len(_AUDIT_COLUMNS))})"

    def _get_salt(self) -> str:
        row = self.db.execute("select value from settings where key = 'user_salt'").fetchone()
        if row:
            return row[0]
        salt = secrets.token_hex(16)
        self.db["settings"].insert({"key": "user_salt", "value": salt}, pk="key", replace=True)
        return salt

    def user_hash(self, platform: str, user_id: str) -> str:
        return hashlib.sha256(f"{self._salt}:{platform}:{user_id}".encode()).hexdigest()[:16]

    def record(self, message: Message, reply: Reply, redacted_text: str | None = None, message_ref: str = "") -> int:
        values = (
            now_iso(),
            message.platform,
            self.user_hash(message.platform, message.user_id),
            message.channel_id,
            message.conversation_key,
            reply.route,
            reply.source,
            json.dumps([s.id for s in reply.sources]),
            json.dumps({k: round(v, 4) for k, v in reply.scores.items()}),
            json.dumps(reply.reasons),
            round(reply.latency_ms, 3),
            "" if not self.store_text else redacted_text if redacted_text is not None else self.redact(message.text),
            int(reply.generated),
            json.dumps(reply.versions),
            message_ref,
        )
        with self._lock, self._conn:
            return self._conn.execute(self._AUDIT_INSERT, values).lastrowid

    def add_reason(self, audit_id: int, reason: str) -> None:
        """Add `reason` to a recorded row's reasons (e.g. `delivery.failed`: the answer was never posted)."""
        with self._lock, self._conn:
            row = self._conn.execute("select reasons from audit where id = ?", [audit_id]).fetchone()
            reasons = json.loads(row[0] or "[]") if row else None
            if reasons is not None and reason not in reasons:
                self._conn.execute("update audit set reasons = ? where id = ?", [json.dumps(reasons + [reason]), audit_id])

    def feedback(self, platform: str, message_ref: str, user_id: str, value: str, route: str = "", source: str = "") -> None:
        row = {
            "ts": now_iso(),
            "platform": platform,
            "message_ref": message_ref,
            "user_hash": self.user_hash(platform, user_id),
            "value": value,
            "route": route,
            "source": source or "",
        }
        with self._lock:
            self.db["feedback"].insert(row)

    def record_reload(self, who: str, ok: bool, dry_run: bool, diff: dict, errors: list[str], duration_ms: float) -> None:
        row = {
            "ts": now_iso(),
            "who": who,
            "ok": int(ok),
            "dry_run": int(dry_run),
            "diff": json.dumps(diff),
            "errors": json.dumps(errors),
            "duration_ms": round(duration_ms, 1),
        }
        with self._lock:
            self.db["reloads"].insert(row)
