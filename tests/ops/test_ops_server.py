"""The ops HTTP server, driven with a real HTTP client: health, readiness, metrics, admin reload."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import types

import aiohttp
import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.errors import HelpbotError
from bot.ops.server import bound_port, start_ops_server
from ops_helpers import ask, edit_faq, make_bot

TOKEN = "test-admin-token-0123456789"
SAMPLE_LINE = re.compile(r'^([a-z_:][a-z0-9_:]*)(\{([a-z_]+="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+]+|\+Inf|NaN)$')


@contextlib.asynccontextmanager
async def serving(bot):
    runner = await start_ops_server(bot, host="127.0.0.1", port=0)
    try:
        async with aiohttp.ClientSession(f"http://127.0.0.1:{bound_port(runner)}") as client:
            yield client
    finally:
        await runner.cleanup()


async def test_healthz_and_readyz(module_bot):
    async with serving(module_bot) as client:
        async with client.get("/healthz") as r:
            assert r.status == 200 and (await r.json())["status"] == "ok"
        async with client.get("/readyz") as r:
            body = await r.json()
            assert r.status == 200 and body["status"] == "ready"
            assert body["kb"] == module_bot.snapshot.kb.fingerprint


async def test_readyz_503_with_reasons_when_not_loaded(module_bot):
    half = types.SimpleNamespace(settings=module_bot.settings, snapshot=None, embedder=None, knowledge_dir=module_bot.knowledge_dir)
    async with serving(half) as client:
        async with client.get("/readyz") as r:
            body = await r.json()
            assert r.status == 503 and body["status"] == "not ready"
            assert body["reasons"] == ["knowledge not loaded", "embedding model not loaded"]
        async with client.get("/healthz") as r:
            assert r.status == 200  # alive, just not ready


async def test_metrics_exposition_counts_messages(module_bot):
    async with serving(module_bot) as client:
        async with client.get("/metrics") as r:
            before = await r.text()
        await ask(module_bot)
        await ask(module_bot, "hello")
        async with client.get("/metrics") as r:
            assert r.status == 200 and r.headers["Content-Type"].startswith("text/plain")
            text = await r.text()

    def value(body: str, sample: str) -> float:
        for line in body.splitlines():
            if line.startswith(sample + " "):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    answered = 'helpbot_messages_total{route="answer",platform="test"}'
    assert value(text, answered) == value(before, answered) + 1
    assert value(text, 'helpbot_messages_total{route="smalltalk",platform="test"}') >= 1
    assert value(text, 'helpbot_latency_seconds_count{route="answer"}') >= 1
    assert value(text, 'helpbot_latency_seconds_bucket{route="answer",le="+Inf"}') == value(text, 'helpbot_latency_seconds_count{route="answer"}')
    for name in ("helpbot_messages_total", "helpbot_latency_seconds", "helpbot_guard_blocks_total", "helpbot_llm_queue_depth",
                 "helpbot_last_reload_timestamp_seconds", "helpbot_last_reload_success"):
        assert f"# TYPE {name} " in text
    for line in text.splitlines():
        assert line.startswith("# ") or SAMPLE_LINE.match(line), line


async def test_admin_reload_needs_the_token(fresh_bot, monkeypatch):
    bot = fresh_bot
    async with serving(bot) as client:
        async with client.post("/admin/reload", json={}) as r:
            assert r.status == 403 and "HELPBOT_ADMIN_TOKEN" in (await r.json())["error"]
        monkeypatch.setenv("HELPBOT_ADMIN_TOKEN", TOKEN)
        async with client.post("/admin/reload", json={}) as r:
            assert r.status == 401
        async with client.post("/admin/reload", json={}, headers={"Authorization": "Bearer wrong"}) as r:
            assert r.status == 401
        auth = {"Authorization": f"Bearer {TOKEN}"}
        async with client.post("/admin/reload", data="{nope", headers=auth) as r:
            assert r.status == 400
        edit_faq(bot.knowledge_dir, "invite-member", answer="Use the Add people button (HTTP-RELOAD).")
        async with client.post("/admin/reload", json={"dry_run": True}, headers=auth) as r:
            body = await r.json()
            assert r.status == 200 and body["dry_run"] and body["diff"]["faq"]["changed"] == ["invite-member"]
        assert "HTTP-RELOAD" not in (await ask(bot)).answer
        async with client.post("/admin/reload", json={"who": "ops-team"}, headers=auth) as r:
            body = await r.json()
            assert r.status == 200 and body["ok"] and body["summary"].startswith("Reloaded")
        assert "HTTP-RELOAD" in (await ask(bot)).answer
        (bot.knowledge_dir / "scope.yaml").write_text("service: [\n", encoding="utf-8")
        async with client.post("/admin/reload", json={}, headers=auth) as r:
            body = await r.json()
            assert r.status == 422 and not body["ok"] and any(e.startswith("scope.yaml:") for e in body["errors"])
    whos = [row[0] for row in bot.audit.db.execute("select who from reloads order by id")]
    assert whos == ["http:cli", "http:ops-team", "http:cli"]


async def test_cli_reload_talks_to_the_running_bot(fresh_bot, monkeypatch):
    bot = fresh_bot
    runner = CliRunner()
    refused = runner.invoke(main, ["reload"])
    assert refused.exit_code == 1 and "HELPBOT_ADMIN_TOKEN is not set" in refused.output
    monkeypatch.setenv("HELPBOT_ADMIN_TOKEN", TOKEN)
    edit_faq(bot.knowledge_dir, "invite-member", answer="Press Add people (CLI-RELOAD).")
    server = await start_ops_server(bot, host="127.0.0.1", port=0)
    try:
        monkeypatch.setenv("HELPBOT_OPS_PORT", str(bound_port(server)))
        dry = await asyncio.to_thread(runner.invoke, main, ["reload", "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert dry.output.startswith("Dry run") and "invite-member" in dry.output
        done = await asyncio.to_thread(runner.invoke, main, ["reload"])
        assert done.exit_code == 0 and done.output.startswith("Reloaded"), done.output
        assert "CLI-RELOAD" in (await ask(bot)).answer
    finally:
        await server.cleanup()
    gone = runner.invoke(main, ["reload"])
    assert gone.exit_code == 1 and "no helpbot answered" in gone.output


async def test_sighup_reloads(fresh_bot):
    bot = fresh_bot
    edit_faq(bot.knowledge_dir, "invite-member", answer="Press Add people (SIGHUP-RELOAD).")
    runner = await start_ops_server(bot, host="127.0.0.1", port=0)
    try:
        assert signal.getsignal(signal.SIGHUP) not in (signal.SIG_DFL, signal.SIG_IGN, None)
        os.kill(os.getpid(), signal.SIGHUP)
        for _ in range(200):
            await asyncio.sleep(0.05)
            if bot.audit.db.execute("select count(*) from reloads where who = 'SIGHUP'").fetchone()[0]:
                break
        assert "SIGHUP-RELOAD" in (await ask(bot)).answer
    finally:
        await runner.cleanup()


async def test_watcher_reloads_after_a_file_changes(tmp_path, embedder, warm_index):
    bot = make_bot(tmp_path, embedder, warm_index, HELPBOT_OPS_WATCH="true", HELPBOT_OPS_WATCH_INTERVAL="0.1")
    runner = await start_ops_server(bot, host="127.0.0.1", port=0)
    try:
        await asyncio.sleep(0.3)
        edit_faq(bot.knowledge_dir, "invite-member", answer="Press Add people (WATCHED).")
        for _ in range(200):
            await asyncio.sleep(0.05)
            if "WATCHED" in (await ask(bot)).answer:
                break
        assert "WATCHED" in (await ask(bot)).answer
        assert bot.audit.db.execute("select count(*) from reloads where who = 'watcher'").fetchone()[0] == 1
    finally:
        await runner.cleanup()


async def test_port_in_use_is_a_clear_error(module_bot):
    first = await start_ops_server(module_bot, host="127.0.0.1", port=0)
    try:
        with pytest.raises(HelpbotError, match="HELPBOT_OPS_PORT"):
            await start_ops_server(module_bot, host="127.0.0.1", port=bound_port(first))
        assert signal.getsignal(signal.SIGHUP) not in (signal.SIG_DFL, signal.SIG_IGN, None)  # still the first's
    finally:
        await first.cleanup()
