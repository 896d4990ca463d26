"""Stream generated text into one Slack message: a placeholder, then chat.update at most once per
`interval` seconds while pieces arrive, then one final update with the whole text.

Slack rate-limits chat.update (about one call per second per channel), so pieces that arrive
faster are batched into the next update instead of each causing a call.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import AsyncIterator, Callable

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.format import escape
from bot import strings

PLACEHOLDER = "…"


@dataclass
class StreamResult:
    channel: str
    ts: str
    text: str
    updates: int  # chat.update calls, the final one included


async def stream_message(
    client: AsyncWebClient,
    channel: str,
    pieces: AsyncIterator[str],
    *,
    thread_ts: str | None = None,
    interval: float = 1.0,
    render: Callable[[str], str] = escape,
    final_blocks: Callable[[str], list[dict]] | None = None,
    placeholder: str = PLACEHOLDER,
) -> StreamResult:
    """Post a placeholder and keep it updated with the text so far; `render` turns text into mrkdwn.

    If the piece source fails, the message keeps the text so far plus strings.ERROR, and the
    error is raised to the caller.
    """
    loop = asyncio.get_running_loop()
    posted = await client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=placeholder)
    channel, ts = posted["channel"], posted["ts"]
    parts: list[str] = []
    changed = asyncio.Event()

    async def read() -> None:
        async for piece in pieces:
            if piece:
                parts.append(piece)
                changed.set()

    reader = asyncio.create_task(read())
    last, updates = loop.time(), 0  # the placeholder post counts as the first write
    try:
        while not reader.done():
            waiter = asyncio.create_task(changed.wait())
            await asyncio.wait({reader, waiter}, return_when=asyncio.FIRST_COMPLETED)
            waiter.cancel()
            if reader.done():
                break
            delay = last + interval - loop.time()
            if delay > 0:
                await asyncio.wait({reader}, timeout=delay)  # batch what arrives meanwhile
                if reader.done():
                    break
            changed.clear()
            await client.chat_update(channel=channel, ts=ts, text=render("".join(parts)) or placeholder)
            last, updates = loop.time(), updates + 1
    finally:
        if not reader.done():
            reader.cancel()
    text = "".join(parts)
    error = reader.exception()
    if last + interval > loop.time():
        await asyncio.sleep(last + interval - loop.time())  # the final update keeps the pace too
    if error is not None:
        shown = (render(text) + "\n\n" if text else "") + escape(strings.ERROR)
        await client.chat_update(channel=channel, ts=ts, text=shown)
        raise error
    blocks = final_blocks(text) if final_blocks else None
    await client.chat_update(channel=channel, ts=ts, text=render(text) or placeholder, blocks=blocks)
    return StreamResult(channel, ts, text, updates + 1)
