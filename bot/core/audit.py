"""The audit log: one row per handled message, in the store the settings name (bot/core/store.py):
the SQLite file in HELPBOT_HOME (readable as is with sqlite-utils or Datasette) or PostgreSQL.

A write the database cannot take (an outage) is logged at WARNING and counted
(`helpbot_audit_write_failures_total`); the answer goes out without its row."""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from pathlib import Path
from typing import Callable

from bot.core.store import Store, StoreUnavailable, WarnEvery, now_iso
from bot.core.store_sqlite import SqliteStore, migrations  # noqa: F401 - migrations: kept importable here
from bot.messages import Message, Reply

log = logging.getLogger("helpbot.audit")


class AuditLog:
    def __init__(self, store: Store | str | Path, redact: Callable[[str], str], store_text: bool = True,
                 on_failure: Callable[[str], None] | None = None):
        """`store`: a Store, or the path of a SQLite file. `store_text` False (`[audit] store_text = false`):
        rows keep no user text at all, not even redacted; only the user hash, route, sources, scores,
        reasons and the like. `on_failure(kind)` counts writes lost to an outage (the bot's metrics)."""
        self.store = store if isinstance(store, Store) else SqliteStore(store)
        self.path = getattr(self.store, "path", None)
        self.redact = redact
        self.store_text = store_text
        self.on_failure = on_failure
        self._warn = WarnEvery(log)  # during an outage, one WARNING per 30 s (every failure is counted)
        self._salt = self._get_salt()

    @property
    def db(self):
        """For reads: the sqlite-utils Database (SQLite) or the store itself (both have `execute`)."""
        return getattr(self.store, "db", self.store)

    _AUDIT_COLUMNS = ("ts", "platform", "user_hash", "channel", "conversation", "route", "source", "sources", "scores",
                      "reasons", "latency_ms", "text_redacted", "generated", "versions", "message_ref")

    def _get_salt(self) -> str:
        salt = self.store.get_setting("user_salt")
        if salt:
            return salt
        self.store.set_setting("user_salt", secrets.token_hex(16), only_if_missing=True)  # replicas agree on one
        return self.store.get_setting("user_salt")

    def _lost(self, kind: str, exc: StoreUnavailable) -> None:
        if self.on_failure is not None:
            self.on_failure(kind)
        self._warn.warning("audit: %s row not written (%s); answers go on without audit rows until the database is back",
                           kind, exc)

    def user_hash(self, platform: str, user_id: str) -> str:
        return hashlib.sha256(f"{self._salt}:{platform}:{user_id}".encode()).hexdigest()[:16]

    def record(self, message: Message, reply: Reply, redacted_text: str | None = None, message_ref: str = "") -> int | None:
        """Write the row; its id, or None when the database is away (the answer goes on)."""
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
        try:
            return self.store.insert("audit", dict(zip(self._AUDIT_COLUMNS, values)))
        except StoreUnavailable as exc:
            self._lost("audit", exc)
            return None

    def add_reason(self, audit_id: int, reason: str) -> None:
        """Add `reason` to a recorded row's reasons (e.g. `delivery.failed`: the answer was never posted)."""
        try:
            self.store.add_reason(audit_id, reason)
        except StoreUnavailable as exc:
            self._lost("audit", exc)

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
        try:
            self.store.insert("feedback", row)
        except StoreUnavailable as exc:
            self._lost("feedback", exc)

    def answer_of(self, audit_id: int) -> tuple[str, str]:
        """The route and source of a recorded answer ("", "" if unknown or unreadable)."""
        try:
            row = self.store.execute("select route, source from audit where id = ?", [audit_id]).fetchone()
        except Exception:  # noqa: BLE001 - an outage: the click is still stored without them
            row = None
        return (row[0] or "", row[1] or "") if row else ("", "")

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
        try:
            self.store.insert("reloads", row)
        except StoreUnavailable as exc:
            self._lost("reloads", exc)
