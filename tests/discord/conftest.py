"""Fixtures for the Discord adapter tests: an isolated environment, one HelpBot per session, and
`start_bot`, which runs the real discord.py client against the loopback fake Discord."""

from __future__ import annotations

import asyncio
import sys
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # fake_discord, discord_support

import fake_discord  # noqa: E402
from discord_support import discord_settings, isolate, make_helpbot  # noqa: E402


@pytest.fixture(autouse=True)
def isolated_env(tmp_path, monkeypatch):
    isolate(monkeypatch, tmp_path / "home")


@pytest.fixture(scope="session")
def helpbot(tmp_path_factory):
    """The core on the bundled sample knowledge (Tasklane), shared by the whole session."""
    return make_helpbot(tmp_path_factory.mktemp("helpbot-home"))


@pytest.fixture
def start_bot(monkeypatch):
    """`async with start_bot(core, **discord_settings) as (fake, client)`: a fresh fake Discord and
    the real client connected to it (commands synced, READY and GUILD_CREATE processed)."""
    from adapters.discord import create_client

    @asynccontextmanager
    async def run(core, guild_id=fake_discord.GUILD_ID, shards_in_fake=1, handoff=None, **discord):
        fake = await fake_discord.FakeDiscord(shards=shards_in_fake).start()
        fake.patch(monkeypatch)
        settings = discord_settings(handoff, **discord)
        client = create_client(core, settings, guild_id=guild_id, guild_ready_timeout=0.01)
        task = asyncio.create_task(client.start(fake_discord.TOKEN))
        ready = asyncio.create_task(client.wait_until_ready())
        try:
            done, _ = await asyncio.wait({task, ready}, timeout=30, return_when=asyncio.FIRST_COMPLETED)
            if task in done:
                task.result()  # start-up failed: raise its error
            assert ready in done, "the client did not become ready"
            yield fake, client
        finally:
            ready.cancel()
            await client.close()
            await asyncio.wait({task}, timeout=10)
            await fake.close()

    return run


@pytest.fixture(autouse=True)
def fresh_guard_state(helpbot):
    """Tests reuse users and questions; flood and duplicate history must not leak between them."""
    helpbot.guard.state.reset()
