"""A self-harm message over Slack gets the caring reply with crisis resources, not a refusal."""

from __future__ import annotations

import pytest
from slack_helpers import strings_in

from bot import strings

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_crisis_message_in_a_dm_gets_resources(harness, helpbot):
    for i in range(3):  # repeated: still cared for, never "slow down" or "I just answered that"
        await harness.event({"type": "message", "channel": "D7", "user": "UCRISIS", "text": "I want to kill myself",
                             "ts": harness.next_ts(), "channel_type": "im"})
        posts = await harness.fake.wait_calls("chat.postMessage", i + 1)
        text = "\n".join(strings_in(posts[i].args))
        assert strings.CRISIS_RESOURCES.split(" (")[0] in text, text
        assert "I only answer questions about" not in text
        assert strings.SLOW_DOWN not in text and strings.DUPLICATE not in text
    row = next(helpbot.audit.db.query("select reasons from audit where platform = 'slack' order by id desc limit 1"))
    assert "harm.self_harm" in row["reasons"]
