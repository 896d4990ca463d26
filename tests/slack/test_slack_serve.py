"""`serve` end to end in-process: tokens, auth.test, the ops server, HTTP or Socket Mode, clean stop."""

from __future__ import annotations

import asyncio
import re

import aiohttp
import pytest
from slack_helpers import SECRET, Harness, settings_for

from adapters.serve import serve
from adapters.slack.run import Slack

pytestmark = pytest.mark.asyncio(loop_scope="session")


class Said:
    """Collects `say` lines; lets a test wait for one matching a pattern."""

    def __init__(self):
        self.lines: list[str] = []
        self.changed = asyncio.Condition()

    def __call__(self, line: str) -> None:
        self.lines.append(line)
        asyncio.get_running_loop().create_task(self._notify())

    async def _notify(self):
        async with self.changed:
            self.changed.notify_all()

    async def wait(self, pattern: str) -> re.Match:
        def found():
            return next((m for line in self.lines if (m := re.search(pattern, line))), None)

        async with self.changed:
            await asyncio.wait_for(self.changed.wait_for(found), 30)
        return found()


@pytest.mark.parametrize("mode", ["http", "socket"])
async def test_serve_answers_then_stops_cleanly(mode, fake, helpbot, settings, monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET" if mode == "http" else "SLACK_APP_TOKEN", SECRET if mode == "http" else "xapp-test")
    said, stop = Said(), asyncio.Event()
    adapter = Slack(settings_for(settings, fake), 0 if mode == "http" else None, "127.0.0.1")
    task = asyncio.create_task(serve(adapter, lambda: helpbot, said, stop))
    ops_url = (await said.wait(r"ops server on (http://\S+)")).group(1)
    event = {"type": "app_mention", "user": "UALICE", "text": "<@UHELPBOT> How do I export my notes?", "ts": "1710000900.000001", "channel": "C9"}
    async with aiohttp.ClientSession() as session:
        if mode == "http":
            url = (await said.wait(r"Events API on (http://\S+/slack/events)")).group(1)
            assert await Harness(fake, None, url, session).event(event) == 200
        else:
            await said.wait("over Socket Mode")
            await fake.send_envelope({"type": "event_callback", "event_id": "EvSERVE", "team_id": "T0HELP", "event": event})
        [post] = await fake.wait_calls("chat.postMessage")
        assert post.args["channel"] == "C9"
        async with session.get(ops_url + "/readyz") as resp:
            assert resp.status == 200
    stop.set()
    await asyncio.wait_for(task, 30)
    assert said.lines[-1] == "helpbot: stopping"
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientConnectionError):
            await session.get(ops_url + "/healthz")
