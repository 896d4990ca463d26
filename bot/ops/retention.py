"""Retention: purge old audit and feedback rows (`[audit] retention_days`), export audit rows as JSONL."""

from __future__ import annotations

import datetime as dt
import json
from typing import TextIO

from bot.core.store import as_store
from bot.errors import HelpbotError
from bot.ops.stats import since_iso

_JSON_COLUMNS = ("sources", "scores", "reasons", "versions")


def purge(db, days: float, now: dt.datetime | None = None) -> dict:
    """Delete audit and feedback rows older than `days`, then VACUUM to give the space back.
    `db`: a Store (either engine) or a sqlite-utils Database."""
    if days <= 0:
        raise HelpbotError("--days must be more than 0 (use [audit] retention_days for the default)")
    cutoff = since_iso(days, now)
    return {"cutoff": cutoff, **as_store(db).purge_before(cutoff)}


def parse_since(text: str | None) -> str | None:
    """'2024-05-01' or an ISO date-time (UTC unless it says otherwise) -> comparable ISO string."""
    if not text:
        return None
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        raise HelpbotError(f"--since {text!r} is not a date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.timezone.utc)
    return when.astimezone(dt.timezone.utc).isoformat(timespec="milliseconds")


def export_rows(db, out: TextIO, since: str | None = None) -> int:
    """Write audit rows (oldest first) as JSON lines; returns how many."""
    sql, params = "select * from audit", []
    if since:
        sql, params = sql + " where ts >= ?", [since]
    cursor = db.execute(sql + " order by id", params)
    names = [d[0] for d in cursor.description]
    count = 0
    for values in cursor:
        row = dict(zip(names, values))
        for col in _JSON_COLUMNS:
            if isinstance(row.get(col), str):
                try:
                    row[col] = json.loads(row[col])
                except ValueError:
                    pass
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count
