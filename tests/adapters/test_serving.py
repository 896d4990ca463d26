"""adapters.base: secrets named with their fix, and the work-in-flight bookkeeping a stop relies on."""

from __future__ import annotations

import asyncio

import pytest

from adapters.base import Secret, Serving, read_secrets
from bot.errors import HelpbotError


def test_secrets_are_checked_for_presence_and_prefix_and_never_printed(monkeypatch):
    token = Secret("ECHO_TOKEN", "copy it from the echo console", "echo-")
    with pytest.raises(HelpbotError, match=r"^ECHO_TOKEN is not set: copy it from the echo console$"):
        read_secrets([token])
    monkeypatch.setenv("ECHO_TOKEN", "xoxb-not-echo")
    with pytest.raises(HelpbotError, match=r"^ECHO_TOKEN must start with echo- \(it starts with xoxb-\)") as err:
        read_secrets([token])
    assert "not-echo" not in str(err.value)
    monkeypatch.setenv("ECHO_TOKEN", "echo-1")
    assert read_secrets([token]) == {"ECHO_TOKEN": "echo-1"}


async def test_drain_waits_for_tracked_work_refuses_new_work_and_is_bounded():
    serving, said = Serving(say=lambda line: None), []
    release = asyncio.Event()

    async def work(name: str, wait: bool) -> None:
        async with serving.track():  # nested: the outer run() already tracks this task
            if wait:
                await release.wait()
            said.append(name)

    slow = asyncio.create_task(serving.run(work("slow", True)))
    await asyncio.sleep(0)
    assert len(serving.inflight) == 1
    draining = asyncio.create_task(serving.drain(timeout=5))
    await asyncio.sleep(0.05)
    assert not draining.done(), "drain waits for the work in flight"
    await serving.run(work("late", False))  # arrives while stopping: dropped, never run
    release.set()
    assert await draining == 0 and said == ["slow"]
    await slow

    stuck = Serving(say=lambda line: None)
    forever = asyncio.create_task(stuck.run(asyncio.Event().wait()))
    await asyncio.sleep(0)
    assert await stuck.drain(timeout=0.1) == 1  # gives up after the timeout, says how many are left
    forever.cancel()
