"""The throttled streaming updater, driven by a real async generator against the fake Web API."""

from __future__ import annotations

import asyncio

import pytest

from adapters.slack.connect import make_client
from adapters.slack.stream import PLACEHOLDER, stream_message
from bot import strings

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def pieces(n: int, gap: float, fail_at: int | None = None):
    for i in range(n):
        if i == fail_at:
            raise RuntimeError("model crashed")
        await asyncio.sleep(gap)
        yield f"w{i} "


async def test_updates_are_throttled_and_the_final_text_is_complete(fake):
    client = make_client("xoxb-test", fake.api_url)
    interval = 0.25
    result = await stream_message(client, "C1", pieces(30, 0.02), thread_ts="1.0", interval=interval,
                                  final_blocks=lambda t: [{"type": "section", "text": {"type": "mrkdwn", "text": t}}])
    expected = "".join(f"w{i} " for i in range(30))
    [post] = fake.calls_to("chat.postMessage")
    updates = fake.calls_to("chat.update")
    assert (post.args["text"], post.args["thread_ts"]) == (PLACEHOLDER, "1.0")
    assert result.text == expected and result.updates == len(updates)
    assert 2 <= len(updates) < 30, "pieces arriving faster than the interval are batched"
    writes = [post] + updates
    assert all(b.at - a.at >= interval * 0.95 for a, b in zip(writes, writes[1:]))
    assert all(u.args["ts"] == result.ts and u.args["channel"] == "C1" for u in updates)
    shown = [u.args["text"] for u in updates]
    assert all(expected.startswith(s) for s in shown[:-1]) and shown[-1] == expected
    assert updates[-1].args["blocks"][0]["text"]["text"] == expected


async def test_a_failing_source_leaves_the_text_so_far_and_an_error(fake):
    client = make_client("xoxb-test", fake.api_url)
    with pytest.raises(RuntimeError, match="model crashed"):
        await stream_message(client, "C1", pieces(5, 0.01, fail_at=3), interval=0.05)
    final = fake.calls_to("chat.update")[-1].args["text"]
    assert final.startswith("w0 w1 w2") and final.endswith(strings.ERROR)


async def test_each_piece_is_shown_when_pieces_are_slower_than_the_interval(fake):
    client = make_client("xoxb-test", fake.api_url)

    async def paced(n: int):
        """Yields the next piece only once Slack has shown the previous one (no timing guesses)."""
        for i in range(n):
            yield f"w{i} "
            if i < n - 1:
                await fake.wait_for(lambda: len(fake.calls_to("chat.update")) > i)

    result = await stream_message(client, "C1", paced(3), interval=0.05)
    assert [u.args["text"] for u in fake.calls_to("chat.update")] == ["w0 ", "w0 w1 ", "w0 w1 w2 "]
    assert result.updates == 3
