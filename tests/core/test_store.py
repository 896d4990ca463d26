"""The shared-state store on both engines: the same calls against a real SQLite file and a real
PostgreSQL server (tests/pg_support.py starts a throwaway one)."""

from __future__ import annotations

import io
import json
import logging
import threading
import time

import pytest

from bot.config import load_settings
from bot.core.audit import AuditLog
from bot.core.events import EventClaims
from bot.core.metrics import Metrics
from bot.core.modes import ChannelModes
from bot.core.store import FAILED, HANDLED, open_store
from bot.errors import HelpbotError
from bot.guard.stage import redact_for_log
from bot.messages import Message, Reply, Source
from bot.ops.retention import export_rows, purge
from bot.ops.stats import compute_stats, since_iso



def _message(text="how do I reset my password?", user="U1", channel="C1"):
    return Message(text, platform="test", user_id=user, channel_id=channel, conversation_id=f"test:{channel}")


def _reply(route="answer"):
    return Reply(route, "the answer", sources=[Source("faq:reset", "Reset", None, 0.9)], scores={"answer": 0.91234},
                 reasons=["r1"], versions={"kb": "abc"}, latency_ms=12.3456)


def test_audit_feedback_and_reload_rows_round_trip(store):
    log = AuditLog(store, redact_for_log)
    audit_id = log.record(_message(), _reply())
    assert isinstance(audit_id, int)
    log.add_reason(audit_id, "delivery.failed")
    log.add_reason(audit_id, "delivery.failed")  # once only
    log.feedback("test", str(audit_id), "U2", "helpful", *log.answer_of(audit_id))
    log.record_reload("admin", True, False, {"added": 1}, [], 42.0)
    row = store.execute("select route, sources, scores, reasons, latency_ms, generated, user_hash from audit where id = ?",
                        [audit_id]).fetchone()
    assert row[0] == "answer" and json.loads(row[1]) == ["faq:reset"] and json.loads(row[2]) == {"answer": 0.9123}
    assert json.loads(row[3]) == ["r1", "delivery.failed"] and row[4] == pytest.approx(12.346) and row[5] == 0
    assert row[6] == log.user_hash("test", "U1") and len(row[6]) == 16
    assert store.execute("select value, route, source from feedback where message_ref = ?", [str(audit_id)]).fetchall() == \
        [("helpful", "answer", "faq:reset")]
    assert store.execute("select who, ok, dry_run, diff from reloads").fetchall() == [("admin", 1, 0, '{"added": 1}')]


def test_replicas_share_the_user_salt_and_the_channel_modes(settings, store):
    other = open_store(settings)  # a second replica
    try:
        first, second = AuditLog(store, redact_for_log), AuditLog(other, redact_for_log)
        assert first.user_hash("slack", "U1") == second.user_hash("slack", "U1")
        modes, seen = ChannelModes(store), ChannelModes(other)
        modes.set("C1", "monitor")
        modes.set("C2", "enforce")
        assert seen.get("C1") == "monitor" and seen.all() == {"C1": "monitor", "C2": "enforce"}
        modes.set("C1", None)
        assert seen.get("C1") is None and seen.all() == {"C2": "enforce"}
        with pytest.raises(ValueError):
            modes.set("C1", "loud")
    finally:
        other.close()


def test_an_event_is_claimed_once_and_again_only_after_it_failed(store):
    assert store.claim_event("slack", "Ev1") is True
    assert store.claim_event("slack", "Ev1") is False  # in flight elsewhere
    assert store.claim_event("discord", "Ev1") is True  # the key is (platform, event id)
    store.finish_event("slack", "Ev1", FAILED)
    assert store.claim_event("slack", "Ev1") is True  # a retry of a failed event is answered again
    store.finish_event("slack", "Ev1", HANDLED)
    assert store.claim_event("slack", "Ev1") is False


def test_event_claims_stay_in_memory_on_sqlite(store):
    claims = EventClaims(store, Metrics(), "slack")
    assert claims.shared is (store.engine == "postgresql")


def test_two_replicas_racing_claim_each_event_exactly_once(settings, store):
    other = open_store(settings)
    wins: dict[str, list[str]] = {}
    lock = threading.Lock()

    def replica(name, which):
        for n in range(60):
            if which.claim_event("slack", f"Ev{n}"):
                with lock:
                    wins.setdefault(f"Ev{n}", []).append(name)

    threads = [threading.Thread(target=replica, args=(f"r{i}", (store, other)[i % 2])) for i in range(4)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        other.close()
    assert sorted(wins) == sorted(f"Ev{n}" for n in range(60))
    assert all(len(names) == 1 for names in wins.values()), {k: v for k, v in wins.items() if len(v) != 1}


def test_stats_export_and_purge_work_on_either_engine(store):
    log = AuditLog(store, redact_for_log)
    old = log.record(_message("an old unknown question"), _reply("unknown"))
    store.write_returning("update audit set ts = ? where id = ?", ["2000-01-01T00:00:00.000+00:00", old])
    for text in ("where is the 100% discount?", "where is the 100% discount?", "who are you"):
        log.record(_message(text), _reply("unknown"))
    answered = log.record(_message(), _reply("answer"))
    log.feedback("test", str(answered), "U9", "Not helpful")
    stats = compute_stats(store, days=7)
    assert stats["total"] == 4 and stats["routes"] == {"unknown": 3, "answer": 1}
    assert stats["top_unknown"][0] == {"text": "where is the 100% discount?", "count": 2}
    assert stats["feedback"]["counts"]["not_helpful"] == 1
    buf = io.StringIO()
    assert export_rows(store, buf) == 5
    first = json.loads(buf.getvalue().splitlines()[0])
    assert first["id"] == old and first["sources"] == ["faq:reset"] and first["route"] == "unknown"
    store.claim_event("slack", "EvOLD")
    store.claim_event("slack", "EvNEW")
    store.write_returning("update events set ts = ? where event_id = ?", [since_iso(2), "EvOLD"])
    done = purge(store, 30)
    assert (done["audit"], done["feedback"]) == (1, 0)
    assert store.execute("select count(*) from audit").fetchone()[0] == 4
    assert [r[0] for r in store.execute("select event_id from events").fetchall()] == ["EvNEW"]  # a day of claims kept


def test_migrations_applied_by_many_replicas_at_once_run_once(pg_url):
    from bot.core.store_pg import MIGRATIONS, PgStore

    errors, stores = [], []

    def start():
        try:
            stores.append(PgStore(pg_url))
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(stores) == 4
    names = [r[0] for r in stores[0].execute("select name from schema_migrations order by name").fetchall()]
    assert names == [name for name, _ in MIGRATIONS]
    for s in stores:
        s.close()


@pytest.mark.parametrize("tail, expected", [
    ("127.0.0.1:{closed}/helpbot", "127.0.0.1:{closed}/helpbot"),
    ("127.0.0.1:{port}/no_such_db", "127.0.0.1:{port}/no_such_db"),
])
def test_a_wrong_database_url_fails_at_start_naming_host_and_setting(pg_server, tail, expected):
    from tests.pg_support import _free_port

    values = {"closed": _free_port(), "port": pg_server.port}
    url = "postgresql://helpbot:hunter2-secret@" + tail.format(**values)
    with pytest.raises(HelpbotError) as err:
        open_store(load_settings(env={"HELPBOT_DATABASE_URL": url}))
    text = str(err.value)
    assert expected.format(**values) in text and "HELPBOT_DATABASE_URL" in text and "hunter2" not in text


def test_an_unknown_url_scheme_names_the_fix():
    with pytest.raises(HelpbotError, match="postgresql://user:password@host") as err:
        open_store(load_settings(env={"HELPBOT_DATABASE_URL": "mysql://u:topsecret@h/db"}))
    assert "topsecret" not in str(err.value)


def test_an_outage_loses_audit_rows_not_answers_and_writes_resume(tmp_path, monkeypatch, caplog):
    """Its own server, stopped and started again under a live store."""
    from bot.core import store_pg
    from tests.pg_support import NO_SERVER, PgServer, server_bin

    if server_bin() is None:
        pytest.skip(NO_SERVER)
    monkeypatch.setattr(store_pg, "RETRY_S", 0.3)
    server = PgServer(server_bin())
    try:
        server.start()
        metrics = Metrics()
        log = AuditLog(open_store(load_settings(env={"HELPBOT_DATABASE_URL": server.url()})), redact_for_log,
                       on_failure=metrics.audit_write_failed)
        assert isinstance(log.record(_message(), _reply()), int)
        server.stop("fast")  # ("immediate" is a crash: synchronous_commit = off may lose the last rows)
        caplog.set_level(logging.WARNING, "helpbot.audit")
        started = time.perf_counter()
        assert log.record(_message(), _reply()) is None
        assert log.record(_message(), _reply()) is None  # paused: no wait at all
        log.feedback("test", "1", "U1", "helpful")
        assert time.perf_counter() - started < 5
        assert metrics.audit_write_failures.value(table="audit") == 2
        assert metrics.audit_write_failures.value(table="feedback") == 1
        assert "helpbot_audit_write_failures_total{table=\"audit\"} 2" in metrics.render()
        assert any(r.levelno == logging.WARNING and "not written" in r.getMessage() for r in caplog.records)
        claims = EventClaims(log.store, metrics, "slack")  # de-duplication falls back to this replica's memory
        assert claims.shared and claims.claim("EvDOWN") is True
        assert metrics.store_fallbacks.value(platform="slack") == 1
        server.start()
        deadline = time.monotonic() + 20
        while (audit_id := log.record(_message(), _reply())) is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert isinstance(audit_id, int)
        assert log.store.execute("select count(*) from audit").fetchone()[0] == 2
        assert claims.claim("EvUP") is True and claims.claim("EvUP") is False  # shared again
        log.store.close()
    finally:
        server.close()


def test_ops_commands_read_and_purge_the_postgresql_database(pg_url, monkeypatch, tmp_path):
    from click.testing import CliRunner

    from bot.cli import main

    monkeypatch.setenv("HELPBOT_DATABASE_URL", pg_url)
    log = AuditLog(open_store(load_settings()), redact_for_log)
    for route in ("answer", "answer", "unknown"):
        log.record(_message(), _reply(route))
    log.store.close()
    result = CliRunner().invoke(main, ["stats", "--json", "--no-gaps"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["routes"] == {"answer": 2, "unknown": 1}
    out = tmp_path / "rows.jsonl"
    result = CliRunner().invoke(main, ["export", "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0 and len(out.read_text().splitlines()) == 3
    result = CliRunner().invoke(main, ["purge", "--days", "1"], catch_exceptions=False)
    assert result.exit_code == 0 and "deleted 0 audit" in result.output
    shown = CliRunner().invoke(main, ["config"], catch_exceptions=False).output
    assert "helpbot:****@127.0.0.1" in shown and "secret-pw" not in shown


def test_a_command_with_an_unreachable_database_says_what_to_fix(monkeypatch):
    from click.testing import CliRunner

    from bot.cli import main
    from tests.pg_support import _free_port

    port = _free_port()
    monkeypatch.setenv("HELPBOT_DATABASE_URL", f"postgresql://bot:pa55word@127.0.0.1:{port}/helpbot")
    result = CliRunner().invoke(main, ["stats", "--no-gaps"])
    assert result.exit_code == 1
    assert f"error: cannot use the PostgreSQL database at 127.0.0.1:{port}/helpbot named by HELPBOT_DATABASE_URL" in result.output
    assert "pa55word" not in result.output and "Traceback" not in result.output
