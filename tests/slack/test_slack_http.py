"""The HTTP endpoint: Slack's signature and timestamp are checked before anything runs."""

from __future__ import annotations

import json
import time

import pytest

pytestmark = pytest.mark.asyncio(loop_scope="session")

MENTION = {"type": "app_mention", "user": "UALICE", "text": "<@UHELPBOT> How do I export my notes?", "ts": "1710000099.000001", "channel": "C1"}


async def test_bad_signature_is_rejected_with_401(harness, helpbot):
    before = helpbot.audit.db["audit"].count
    assert await harness.event(MENTION, secret="not-the-signing-secret") == 401
    assert await harness.post(json.dumps({"type": "event_callback", "event": MENTION}), "application/json",
                               headers={"X-Slack-Signature": "v0=" + "0" * 64}) == 401
    assert await harness.command("ask How do I export my notes?") == 200  # the same request, signed: accepted
    await harness.fake.wait_calls("response_url")
    assert not harness.fake.calls_to("chat.postMessage", "reactions.add")
    assert helpbot.audit.db["audit"].count == before + 1


async def test_stale_timestamp_is_rejected_even_when_correctly_signed(harness):
    assert await harness.event(MENTION, timestamp=int(time.time()) - 10 * 60) == 401
    assert await harness.event(MENTION, timestamp=int(time.time()) + 10 * 60) == 401
    assert not harness.fake.calls_to("chat.postMessage", "reactions.add", "users.info")


async def test_url_verification_and_health(harness):
    body = json.dumps({"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification"})
    async with harness.session.post(harness.url, data=body, headers={"Content-Type": "application/json", **_sign(body)}) as resp:
        assert resp.status == 200
        assert (await resp.json())["challenge"].startswith("3eZbrw1a")
    async with harness.session.get(harness.url.replace("/slack/events", "/healthz")) as resp:
        assert resp.status == 200


def _sign(body):
    from slack_helpers import sign

    return sign(body)
