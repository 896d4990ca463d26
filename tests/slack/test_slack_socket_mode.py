"""Socket Mode through a loopback websocket speaking the envelope protocol (hello, events_api, ack)."""

from __future__ import annotations

import time

import pytest
from slack_helpers import settings_for

from adapters.slack.app import SlackAdapter
from adapters.slack.connect import Tokens, close_client
from adapters.slack.run import connect, connect_socket
from bot.errors import HelpbotError

pytestmark = pytest.mark.asyncio(loop_scope="session")


def envelope_body(event: dict, event_id: str) -> dict:
    return {"team_id": "T0HELP", "api_app_id": "A0HELP", "type": "event_callback", "event_id": event_id,
            "event_time": int(time.time()), "event": event}


async def test_socket_mode_event_is_acked_and_answered(fake, helpbot, settings):
    local = settings_for(settings, fake)
    client, identity = await connect(local, Tokens(bot="xoxb-test", app="xapp-test"))
    adapter = SlackAdapter(helpbot, local, client, identity)
    handler = await connect_socket(adapter, "xapp-test")
    try:
        await fake.wait_calls("socket.connect")
        assert {c.token for c in fake.calls_to("apps.connections.open")} == {"xapp-test"}
        event = {"type": "app_mention", "user": "UALICE", "text": "<@UHELPBOT> How do I export my notes?",
                 "ts": "1710000500.000001", "channel": "C7"}
        envelope_id = await fake.send_envelope(envelope_body(event, "EvSOCK1"))
        acks = await fake.wait_calls("socket.ack")
        assert acks[0].args["envelope_id"] == envelope_id
        [post] = await fake.wait_calls("chat.postMessage")
        assert (post.args["channel"], post.args["thread_ts"]) == ("C7", "1710000500.000001")
        assert acks[0].at < post.at, "acknowledged before the answer was computed"
        # Slack redelivers the envelope as a retry: acked, not answered again
        retry_id = await fake.send_envelope(envelope_body(event, "EvSOCK1"), retry_attempt=1)
        await fake.send_envelope(envelope_body({**event, "ts": "1710000500.000002", "channel": "C8"}, "EvSOCK2"))
        await fake.wait_calls("chat.postMessage", 2)
        assert retry_id in [a.args["envelope_id"] for a in fake.calls_to("socket.ack")]
        assert [p.args["channel"] for p in fake.calls_to("chat.postMessage")] == ["C7", "C8"]
    finally:
        await handler.close_async()
        await adapter.serving.drain()
        await close_client(client)


async def test_rejected_app_token_is_a_clear_error(fake, helpbot, settings):
    local = settings_for(settings, fake)
    client, identity = await connect(local, Tokens(bot="xoxb-test", app="xapp-test"))
    adapter = SlackAdapter(helpbot, local, client, identity)
    fake.queue_response("apps.connections.open", 200, {"ok": False, "error": "invalid_auth"})
    with pytest.raises(HelpbotError, match=r"SLACK_APP_TOKEN was rejected by Slack \(invalid_auth\)"):
        await connect_socket(adapter, "xapp-revoked")
    await close_client(client)
