"""The throttled editor for streamed answers: real async generators, a controlled clock."""

from __future__ import annotations

import asyncio

from fake_discord import ALICE, APP_ID

from adapters.discord.stream import ThrottledEditor, stream_followup


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def pieces_every(clock: Clock, pieces: list[str], step: float):
    for piece in pieces:
        clock.now += step
        await asyncio.sleep(0)  # a real suspension point, as with a model streaming tokens
        yield piece


async def test_edits_at_most_once_per_interval_and_always_shows_the_end():
    clock, shown = Clock(), []

    async def edit(text: str) -> None:
        shown.append(text)

    pieces = [f"w{n} " for n in range(20)]  # one piece every 0.25 s for 5 s
    editor = ThrottledEditor(edit, interval=1.0, clock=clock)
    text = await editor.run(pieces_every(clock, pieces, 0.25))
    assert text == "".join(pieces)
    assert shown[-1] == text  # the final text is always shown
    assert 5 <= len(shown) <= 6  # ~ one edit per second of streaming, not one per piece
    assert all(a != b for a, b in zip(shown, shown[1:]))  # never the same text twice
    assert all(shown[i + 1].startswith(shown[i]) for i in range(len(shown) - 1))


async def test_fast_stream_is_one_edit_and_empty_stream_none():
    clock, shown = Clock(), []

    async def edit(text: str) -> None:
        shown.append(text)

    await ThrottledEditor(edit, interval=1.0, clock=clock).run(pieces_every(clock, ["a", "b", "c"], 0.0))
    assert shown == ["a", "abc"]  # first piece at once, the rest in the final edit
    shown.clear()
    await ThrottledEditor(edit, interval=1.0, clock=clock).run(pieces_every(clock, [], 0.0))
    assert shown == []


async def test_long_stream_is_cut_to_the_message_limit():
    clock, shown = Clock(), []

    async def edit(text: str) -> None:
        shown.append(text)

    text = await ThrottledEditor(edit, interval=1.0, clock=clock).run(pieces_every(clock, ["word "] * 600, 0.01))
    assert len(text) == 3000
    assert all(len(s) <= 2000 for s in shown) and shown[-1].endswith("…")


async def test_stream_followup_edits_one_message_through_discord(helpbot, start_bot):
    async def tokens():
        for word in ["Open ", "Settings ", "→ ", "Members ", "@everyone"]:
            await asyncio.sleep(0)
            yield word

    async with start_bot(helpbot, edit_interval_s=0.0) as (fake, client):
        captured = asyncio.get_running_loop().create_future()

        @client.tree.command(name="stream", guild=None)
        async def stream(interaction):  # a test command standing in for an LLM answer
            captured.set_result(await stream_followup(interaction, tokens()))

        cmd = fake.slash("stream", author=ALICE)
        await fake.dispatch("INTERACTION_CREATE", cmd)
        text = await asyncio.wait_for(captured, 20)
    assert text == "Open Settings → Members @everyone"
    assert fake.find("POST", rf"/interactions/{cmd['id']}/[^/]+/callback")[0].json == {"type": 5}
    (first,) = fake.find("POST", rf"/webhooks/{APP_ID}/{cmd['token']}")
    edits = fake.find("PATCH", rf"/webhooks/{APP_ID}/{cmd['token']}/messages/\d+")
    assert [e.json["content"] for e in edits] == ["Open ", "Open Settings ", "Open Settings → ",
                                                  "Open Settings → Members ", text]  # interval 0: every piece
    assert all(e.json["allowed_mentions"] == {"parse": []} for e in [first, *edits])
