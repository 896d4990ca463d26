"""Retention: purge old rows (and VACUUM), export audit rows as JSONL."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from bot.core.audit import AuditLog
from bot.cli import main
from bot.config import load_settings
from bot.errors import HelpbotError
from bot.ops.retention import export_rows, parse_since, purge
from bot.paths import audit_path
from bot.guard.stage import redact_for_log
from ops_helpers import seed_audit


def _audit() -> AuditLog:
    return AuditLog(audit_path(load_settings()), redact_for_log)


def test_purge_deletes_only_old_rows_and_vacuums(tmp_path):
    audit = AuditLog(tmp_path / "a.db", redact_for_log)
    now = dt.datetime.now(dt.timezone.utc)
    info = seed_audit(audit.db, days=20, per_day=40, now=now)
    audit.db["reloads"].insert({"ts": "2000-01-01T00:00:00.000+00:00", "who": "x", "ok": 1, "dry_run": 0, "diff": "{}", "errors": "[]", "duration_ms": 1.0})
    cutoff = (now - dt.timedelta(days=10)).isoformat(timespec="milliseconds")
    old_audit = sum(1 for r in info["rows"] if r["ts"] < cutoff)
    old_feedback = sum(1 for f in info["feedback"] if f["ts"] < cutoff)
    pages_before = audit.db.execute("pragma page_count").fetchone()[0]

    done = purge(audit.db, 10, now=now)

    assert done["audit"] == old_audit > 0 and done["feedback"] == old_feedback > 0
    assert audit.db.execute("select count(*) from audit").fetchone()[0] == len(info["rows"]) - old_audit
    assert audit.db.execute("select min(ts) from audit").fetchone()[0] >= cutoff
    assert audit.db.execute("select min(ts) from feedback").fetchone()[0] >= cutoff
    assert audit.db.execute("select count(*) from reloads").fetchone()[0] == 1  # admin history is kept
    assert audit.db.execute("pragma freelist_count").fetchone()[0] == 0
    assert audit.db.execute("pragma page_count").fetchone()[0] < pages_before
    with pytest.raises(HelpbotError):
        purge(audit.db, 0)


def test_purge_command_uses_retention_days(monkeypatch):
    now = dt.datetime.now(dt.timezone.utc)
    info = seed_audit(_audit().db, days=10, per_day=10, now=now)
    monkeypatch.setenv("HELPBOT_AUDIT_RETENTION_DAYS", "3")
    result = CliRunner().invoke(main, ["purge"])
    assert result.exit_code == 0, result.output
    cutoff = (now - dt.timedelta(days=3)).isoformat(timespec="milliseconds")
    expected = sum(1 for r in info["rows"] if r["ts"] < cutoff)
    assert result.output.startswith(f"deleted {expected} audit and ")
    assert _audit().db.execute("select count(*) from audit").fetchone()[0] == len(info["rows"]) - expected
    again = CliRunner().invoke(main, ["purge", "--days", "1"])
    assert again.exit_code == 0 and "deleted" in again.output


def test_export_jsonl_since(tmp_path):
    audit = _audit()
    now = dt.datetime(2025, 3, 20, 12, 0, tzinfo=dt.timezone.utc)
    info = seed_audit(audit.db, days=6, per_day=5, now=now)
    out = tmp_path / "audit.jsonl"
    result = CliRunner().invoke(main, ["export", "--out", str(out), "--since", "2025-03-18"])
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    expected = [r for r in info["rows"] if r["ts"] >= "2025-03-18T00:00:00.000+00:00"]
    assert result.output.strip() == f"wrote {len(expected)} rows to {out}"
    assert len(lines) == len(expected) > 0
    assert all(line["ts"] >= "2025-03-18" for line in lines)
    assert isinstance(lines[0]["reasons"], list) and isinstance(lines[0]["scores"], dict)
    assert [line["id"] for line in lines] == sorted(line["id"] for line in lines)
    everything = CliRunner().invoke(main, ["export"])
    assert everything.exit_code == 0 and len(everything.output.splitlines()) == len(info["rows"])
    bad = CliRunner().invoke(main, ["export", "--since", "last tuesday"])
    assert bad.exit_code == 1 and "--since 'last tuesday' is not a date" in bad.output


def test_parse_since_normalises_to_utc():
    assert parse_since("2025-03-18") == "2025-03-18T00:00:00.000+00:00"
    assert parse_since("2025-03-18T02:00+02:00") == "2025-03-18T00:00:00.000+00:00"
    assert parse_since(None) is None


def test_export_rows_counts(tmp_path):
    import io

    audit = AuditLog(tmp_path / "x.db", redact_for_log)
    assert export_rows(audit.db, io.StringIO()) == 0
    seed_audit(audit.db, days=1, per_day=3)
    buf = io.StringIO()
    assert export_rows(audit.db, buf) == 3 and len(buf.getvalue().splitlines()) == 3
