"""Helpers for the Slack adapter tests: signing like Slack, a harness that sends Slack's payloads."""

from __future__ import annotations

import contextlib
import json
import time
import urllib.parse
from pathlib import Path

import aiohttp
from slack_sdk.signature import SignatureVerifier

from adapters.slack.app import SlackAdapter
from adapters.slack.connect import Tokens, close_client
from fake_slack import FakeSlack
from adapters.slack.run import connect, serve_http

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
ADMIN_IN_CONFIG = "UCONFADMIN"  # in [slack] admins for the tests
KNOWLEDGE = Path(__file__).parent / "knowledge"  # the small test knowledge (Pebble)


def sign(body: str, timestamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)}


class Harness:
    """The adapter served on 127.0.0.1, and helpers that send what Slack sends."""

    def __init__(self, fake: FakeSlack, adapter: SlackAdapter, url: str, session: aiohttp.ClientSession):
        self.fake, self.adapter, self.url, self.session = fake, adapter, url, session
        self._n = 0

    def next_ts(self) -> str:
        self._n += 1
        return f"1710000000.{self._n:06d}"

    async def post(self, body: str, content_type: str, headers: dict | None = None, timestamp=None, secret=SECRET) -> int:
        all_headers = {"Content-Type": content_type, **sign(body, timestamp, secret), **(headers or {})}
        async with self.session.post(self.url, data=body.encode(), headers=all_headers) as resp:
            await resp.read()
            return resp.status

    async def event(self, event: dict, event_id: str | None = None, headers: dict | None = None, **kw) -> int:
        self._n += 1
        body = {
            "token": "legacy-verification-token",
            "team_id": "T0HELP",
            "api_app_id": "A0HELP",
            "event": {"event_ts": event.get("ts"), **event},
            "type": "event_callback",
            "event_id": event_id or f"Ev{self._n:08d}",
            "event_time": int(time.time()),
            "authorizations": [{"enterprise_id": None, "team_id": "T0HELP", "user_id": "UHELPBOT", "is_bot": True}],
        }
        return await self.post(json.dumps(body), "application/json", headers, **kw)

    async def mention(self, text: str, channel: str = "C1", user: str = "UALICE", **kw) -> str:
        ts = self.next_ts()
        status = await self.event({"type": "app_mention", "user": user, "text": f"<@UHELPBOT> {text}", "ts": ts, "channel": channel}, **kw)
        assert status == 200
        return ts

    async def command(self, text: str, user: str = "UALICE", channel: str = "C1") -> int:
        form = {
            "token": "legacy-verification-token", "team_id": "T0HELP", "team_domain": "test", "channel_id": channel,
            "channel_name": "general", "user_id": user, "user_name": user.lower(), "command": "/helpbot", "text": text,
            "api_app_id": "A0HELP", "response_url": self.fake.response_url(f"cmd-{user}"), "trigger_id": "1.2.3",
        }
        return await self.post(urllib.parse.urlencode(form), "application/x-www-form-urlencoded")

    async def click(self, action_id: str, value: str, user: str = "UALICE", channel: str = "C1") -> int:
        payload = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "team_id": "T0HELP"},
            "api_app_id": "A0HELP",
            "token": "legacy-verification-token",
            "container": {"type": "message", "message_ts": "1700000000.000001", "channel_id": channel, "is_ephemeral": False},
            "trigger_id": "1.2.3",
            "team": {"id": "T0HELP", "domain": "test"},
            "channel": {"id": channel, "name": "general"},
            "response_url": self.fake.response_url(f"click-{user}"),
            "actions": [{"action_id": action_id, "block_id": "helpbot_feedback", "type": "button", "value": value, "action_ts": "1700000001.0"}],
        }
        return await self.post(urllib.parse.urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    async def interact(self, payload: dict) -> int:
        """Any interactivity payload (block_actions, message_action, view_submission), signed, as Slack posts it."""
        payload = {"api_app_id": "A0HELP", "token": "legacy-verification-token", "team": {"id": "T0HELP", "domain": "test"},
                   "trigger_id": f"trigger.{self.next_ts()}", **payload}
        return await self.post(urllib.parse.urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    async def press(self, action_id: str, value: str, user: str, channel: str, message: dict | None = None,
                    block_id: str = "helpbot_handoff") -> int:
        """Click a button on a message (`message`: the message as Slack shows it: ts, thread_ts, text)."""
        message = message or {"ts": "1700000000.000001", "text": ""}
        return await self.interact({
            "type": "block_actions", "user": {"id": user, "username": user.lower(), "team_id": "T0HELP"},
            "container": {"type": "message", "message_ts": message["ts"], "channel_id": channel, "is_ephemeral": False},
            "channel": {"id": channel, "name": "general"}, "message": {"type": "message", **message},
            "response_url": self.fake.response_url(f"press-{user}"),
            "actions": [{"action_id": action_id, "block_id": block_id, "type": "button", "value": value,
                         "action_ts": "1700000001.0"}],
        })

    async def shortcut(self, callback_id: str, message: dict, user: str, channel: str) -> int:
        """A message shortcut ("Save as FAQ" from a message's menu)."""
        return await self.interact({
            "type": "message_action", "callback_id": callback_id, "user": {"id": user, "name": user.lower()},
            "channel": {"id": channel, "name": "help"}, "message": {"type": "message", **message},
            "message_ts": message["ts"], "response_url": self.fake.response_url(f"shortcut-{user}"),
        })

    async def submit(self, view: dict, values: dict[str, str], user: str) -> tuple[int, dict | None]:
        """Submit a modal `view` (as sent to views.open) with these field values; (status, JSON answer)."""
        state = {"values": {block: {"value": {"type": "plain_text_input", "value": value}} for block, value in values.items()}}
        payload = {"type": "view_submission", "user": {"id": user, "name": user.lower(), "team_id": "T0HELP"},
                   "view": {**view, "id": "V1", "state": state}, "api_app_id": "A0HELP", "token": "legacy-verification-token",
                   "team": {"id": "T0HELP", "domain": "test"}, "trigger_id": "t.1"}
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
        async with self.session.post(self.url, data=body.encode(), headers=headers) as resp:
            text = await resp.text()
            return resp.status, (json.loads(text) if text.strip() else None)


def settings_for(settings, fake: FakeSlack):
    """The session settings with the Web API pointed at this test's fake Slack."""
    from bot.config import Settings

    data = {k: dict(v) for k, v in settings.data.items()}
    data["slack"]["api_url"] = fake.api_url
    return Settings(data)


def strings_in(value) -> list[str]:
    """Every string inside a JSON-like value (to search what was sent to Slack)."""
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return [value]
        return [value] if isinstance(parsed, str) else strings_in(parsed) + [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    return []


@contextlib.asynccontextmanager
async def serving(fake, helpbot, local):
    """`helpbot` behind the real Bolt app on a loopback port, talking to `fake`; yields a Harness."""
    client, identity = await connect(local, Tokens(bot="xoxb-test", signing_secret=SECRET))
    adapter = SlackAdapter(helpbot, local, client, identity, signing_secret=SECRET)
    runner, port = await serve_http(adapter, "127.0.0.1", 0)
    try:
        async with aiohttp.ClientSession() as session:
            yield Harness(fake, adapter, f"http://127.0.0.1:{port}/slack/events", session)
        await adapter.serving.drain()
    finally:
        await runner.cleanup()
        await close_client(client)
