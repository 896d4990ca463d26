"""Adding a platform is one folder that implements adapters.base.Adapter: the echo platform in
./echo_platform, registered through a real `helpbot.adapters` entry point (a dist-info folder on
sys.path, as `pip install` would leave it), is listed by the CLI and served by the shared serve:
secrets checked first, ops server up, admin commands audited by the core, and a stop that lets
the answer in flight go out."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import aiohttp
import pytest
from click.testing import CliRunner

from adapters import registry
from adapters.serve import serve
from bot import strings
from bot.cli import main
from bot.errors import HelpbotError

QUESTION = "How do I reset my password?"


@pytest.fixture
def echo_installed(tmp_path, monkeypatch):
    dist = tmp_path / "helpbot_echo-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: helpbot-echo\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[helpbot.adapters]\necho = echo_platform:Echo\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.syspath_prepend(str(Path(__file__).parent))


def test_the_registry_and_the_cli_find_the_new_platform(echo_installed):
    from echo_platform import Echo

    assert {"console", "slack", "discord", "echo"} <= set(registry.names())
    assert registry.load("echo") is Echo
    listed = CliRunner().invoke(main, ["serve", "--help"])
    assert listed.exit_code == 0 and re.search(r"^\s+echo\s+A loopback line platform", listed.output, re.M)
    options = CliRunner().invoke(main, ["serve", "echo", "--help"])
    assert "--port" in options.output and "--admin" in options.output and "--knowledge" in options.output


def test_an_unknown_or_missing_platform_names_the_fix():
    with pytest.raises(HelpbotError, match=r"no chat platform named 'echo' \(known: console, discord, slack\): install the package"):
        registry.load("echo")
    result = CliRunner().invoke(main, ["serve", "echo"])
    assert result.exit_code == 2 and "No such command 'echo'" in result.output


def test_missing_secret_fails_before_the_bot_loads(echo_installed):
    result = CliRunner().invoke(main, ["serve", "echo"])
    assert result.exit_code == 1, result.output
    assert "error: ECHO_TOKEN is not set: any value" in result.output and "Traceback" not in result.output


async def said(lines: list[str], pattern: str, task: asyncio.Task) -> re.Match:
    """The first `say` line matching `pattern`, once there is one."""
    while not (found := next((m for line in lines if (m := re.search(pattern, line))), None)):
        assert not task.done(), task.result()
        await asyncio.sleep(0.02)
    return found


@pytest.mark.asyncio(loop_scope="session")
async def test_echo_is_served_audited_and_drained_by_the_shared_serve(echo_installed, sample_bot, monkeypatch):
    monkeypatch.setenv("ECHO_TOKEN", "anything")
    real, gate, entered = sample_bot.handle, asyncio.Event(), []
    gate.set()

    async def handle(message, progress=None):
        entered.append(message.text)
        await gate.wait()
        return await real(message, progress)

    monkeypatch.setattr(sample_bot, "handle", handle)
    adapter = registry.load("echo")(sample_bot.settings, admins=("root",))
    lines, stop = [], asyncio.Event()
    task = asyncio.create_task(serve(adapter, lambda: sample_bot, lines.append, stop))
    ops = (await asyncio.wait_for(said(lines, r"ops server on (http://\S+)", task), 60)).group(1)
    port = int((await said(lines, r"serving echo on 127\.0\.0\.1:(\d+)", task)).group(1))
    reader, writer = await asyncio.open_connection("127.0.0.1", port)

    async def ask(line: str) -> str:
        writer.write(line.encode() + b"\n")
        return (await asyncio.wait_for(reader.readline(), 30)).decode()

    async with aiohttp.ClientSession() as session:
        async with session.get(ops + "/readyz") as resp:
            assert resp.status == 200
        assert "Forgot password?" in await ask(f"alice {QUESTION}")
        assert await ask("guest !status") == f"reply: {strings.ADMIN_ONLY}\n"
        assert (await ask("root !status")).startswith("reply: helpbot ")
        rows = list(sample_bot.audit.db.query("select user_hash, reasons from audit where platform = 'echo' and route = 'admin' order by id"))
        assert [json.loads(r["reasons"]) for r in rows[-2:]] == [["admin.status", "admin.denied"], ["admin.status", "admin.ok"]]

        gate.clear()  # an answer in flight when the stop comes
        writer.write(f"bob {QUESTION}\n".encode())
        while len(entered) < 2:
            await asyncio.sleep(0.01)
        stop.set()
        await asyncio.sleep(0.3)
        assert not task.done(), "the stop waits for the answer in flight"
        gate.set()
        assert "Forgot password?" in (await asyncio.wait_for(reader.readline(), 30)).decode()
        await asyncio.wait_for(task, 30)
        assert lines[-1] == "helpbot: stopping"
        with pytest.raises(aiohttp.ClientConnectionError):
            await session.get(ops + "/healthz")
    writer.close()
