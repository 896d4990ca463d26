"""The front door in HTTP mode: hostile requests get 4xx, never 500, and never put their body in the log."""

from __future__ import annotations

import asyncio
import json
import logging
import time

import aiohttp
import pytest
from slack_helpers import SECRET

from adapters.slack.front import FrontDoor, fingerprint, signature_for

pytestmark = pytest.mark.asyncio(loop_scope="session")

PRIVATE = "Jane Roe lives at 12 Private Lane"  # stands for names and addresses in a body
EVENT = {"type": "event_callback", "event_id": "EvFRONT", "event": {"type": "app_mention", "user": "UALICE",
         "text": f"<@UHELPBOT> {PRIVATE}", "ts": "1710000000.000001", "channel": "C1"}}


def signed(body: bytes, timestamp: str | None = None, secret: str = SECRET) -> dict[str, str]:
    ts = timestamp or str(int(time.time()))
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": signature_for(secret.encode(), ts, body)}


async def raw_post(harness, body: bytes, headers: dict[str, str]) -> tuple[int, str]:
    async with harness.session.post(harness.url, data=body, headers=headers) as resp:
        return resp.status, await resp.text()


def assert_log_is_clean(caplog, *secrets: str) -> None:
    for record in caplog.records:
        text = record.getMessage()
        assert record.exc_info is None, text
        for secret in secrets:
            assert secret not in text, text


async def test_hostile_requests_get_4xx_and_the_log_never_has_their_body(harness, caplog):
    caplog.set_level(logging.DEBUG)
    body = json.dumps(EVENT).encode()
    js = {"Content-Type": "application/json"}
    now = str(int(time.time()))
    cases = {
        "bad signature": (body, {**js, **signed(body, secret="not-the-secret")}, 401),
        "no signature": (body, {**js, "X-Slack-Request-Timestamp": now}, 401),
        "no timestamp": (body, {**js, "X-Slack-Signature": "v0=" + "0" * 64}, 401),
        "non-numeric timestamp": (body, {**js, "X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=1"}, 401),
        "huge timestamp": (body, {**js, **signed(body, "9" * 40)}, 401),
        "stale timestamp": (body, {**js, **signed(body, str(int(time.time()) - 600))}, 401),
        "signed, malformed JSON": (body[:-3], {**js, **signed(body[:-3])}, 400),
        "signed, JSON list": (b"[1, 2]", {**js, **signed(b"[1, 2]")}, 400),
        "signed, event not an object": (b'{"type": "event_callback", "event": 5}', {**js, **signed(b'{"type": "event_callback", "event": 5}')}, 400),
        "signed, not UTF-8": (body + b"\xff\xfe", {**js, **signed(body + b"\xff\xfe")}, 400),
        "signed, wrong content type": (body, {"Content-Type": "text/plain", **signed(body)}, 415),
        "signed, form with a broken payload": (b"payload=%7B" + PRIVATE.encode(),
                                               {"Content-Type": "application/x-www-form-urlencoded", **signed(b"payload=%7B" + PRIVATE.encode())}, 400),
    }
    before = harness.adapter.bot.metrics.slack_refused.value(reason="bad signature")
    for name, (data, headers, expected) in cases.items():
        status, text = await raw_post(harness, data, headers)
        assert status == expected, f"{name}: {status} {text}"
        assert PRIVATE not in text
    huge = b'{"text": "' + PRIVATE.encode() * 40_000 + b'"}'  # 1.3 MB, unsigned
    assert (await raw_post(harness, huge, js))[0] == 413
    assert harness.adapter.bot.metrics.slack_refused.value(reason="bad signature") == before + 1
    assert not harness.fake.calls_to("chat.postMessage", "reactions.add", "users.info")
    assert_log_is_clean(caplog, PRIVATE, "Private Lane", "UALICE")
    refusals = [r.getMessage() for r in caplog.records if "refused a request" in r.getMessage()]
    assert any(f"sha256 {fingerprint(body)}" in m and f"{len(body)} bytes" in m and "bad signature" in m for m in refusals)
    assert all(r.levelno == logging.INFO for r in caplog.records if "refused a request" in r.getMessage())


async def test_refusals_of_one_kind_are_logged_once_and_counted(harness, caplog):
    caplog.set_level(logging.INFO)
    body = json.dumps(EVENT).encode()
    before = harness.adapter.bot.metrics.slack_refused.value(reason="no signature")
    for _ in range(30):
        assert (await raw_post(harness, body, {"Content-Type": "application/json", "X-Slack-Request-Timestamp": str(int(time.time()))}))[0] == 401
    lines = [r for r in caplog.records if "(no signature)" in r.getMessage()]
    assert len(lines) == 1
    assert harness.adapter.bot.metrics.slack_refused.value(reason="no signature") == before + 30
    assert "# TYPE helpbot_slack_refused_requests_total counter" in harness.adapter.bot.metrics.render()


async def test_signed_requests_still_reach_bolt(harness):
    body = json.dumps({"token": "x", "challenge": "c-123", "type": "url_verification"}).encode()
    status, text = await raw_post(harness, body, {"Content-Type": "application/json", **signed(body)})
    assert status == 200 and json.loads(text)["challenge"] == "c-123"


async def test_the_bolt_app_alone_refuses_http_requests_that_skipped_the_front_door(harness):
    """Serving `adapter.app` some other way fails closed: Bolt's own check is off, ours is a middleware too."""
    from aiohttp import web

    runner = web.AppRunner(harness.adapter.app.web_app(path="/slack/events"), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        body = json.dumps(EVENT)
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/slack/events"
        async with aiohttp.ClientSession() as session:
            async with session.post(url, data=body, headers={"Content-Type": "application/json", **signed(body.encode())}) as resp:
                assert resp.status == 401
    finally:
        await runner.cleanup()
    assert not harness.fake.calls_to("chat.postMessage", "reactions.add")


async def test_a_body_that_trickles_in_is_dropped_after_the_read_timeout(harness, caplog):
    from aiohttp import web

    caplog.set_level(logging.INFO)
    app = web.Application()
    app.router.add_post("/slack/events", FrontDoor(harness.adapter.app, SECRET, harness.adapter.bot.metrics, read_timeout_s=0.5).handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", runner.addresses[0][1])
        writer.write(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100\r\n\r\n{\"text\": \"" + PRIVATE.encode()[:10])
        await writer.drain()
        started = time.monotonic()
        status_line = await asyncio.wait_for(reader.readline(), 5)
        assert b" 408 " in status_line and time.monotonic() - started < 3
        writer.close()
        await writer.wait_closed()
    finally:
        await runner.cleanup()
    assert any("body too slow" in r.getMessage() for r in caplog.records)
    assert_log_is_clean(caplog, PRIVATE[:10])
