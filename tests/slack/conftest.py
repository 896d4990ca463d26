"""Slack adapter tests: the real Bolt app over loopback HTTP, requests signed like Slack signs them,
and a loopback fake Slack Web API that records what Slack would have received."""

from __future__ import annotations

import os
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio
from slack_helpers import ADMIN_IN_CONFIG, SECRET, Harness, settings_for

from adapters.slack.app import SlackAdapter
from adapters.slack.connect import Tokens, close_client
from adapters.slack.fake_api import FakeSlack
from adapters.slack.run import connect, serve_http

KNOWLEDGE = Path(__file__).parent / "knowledge"


@pytest.fixture(scope="session", autouse=True)
def slack_env(tmp_path_factory):
    """No real tokens or HELPBOT_* settings leak in; data goes to a temporary HELPBOT_HOME."""
    mp = pytest.MonkeyPatch()
    for name in list(os.environ):
        if name.startswith(("HELPBOT_", "SLACK_")) or name == "DISCORD_BOT_TOKEN":
            mp.delenv(name)
    mp.setenv("HELPBOT_HOME", str(tmp_path_factory.mktemp("helpbot-home")))
    mp.setenv("HF_HUB_OFFLINE", "1")
    yield
    mp.undo()


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith("SLACK_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def settings():
    from bot.config import load_settings

    return load_settings(None, env={"HELPBOT_HOME": os.environ["HELPBOT_HOME"], "HELPBOT_SLACK_ADMINS": ADMIN_IN_CONFIG})


@pytest.fixture(scope="session")
def helpbot(settings):
    from bot.pipeline import HelpBot

    return HelpBot(settings, knowledge_dir=KNOWLEDGE)


@pytest_asyncio.fixture
async def fake():
    server = await FakeSlack().start()
    yield server
    await server.close()


@pytest_asyncio.fixture
async def harness(fake, helpbot, settings):
    local = settings_for(settings, fake)
    client, identity = await connect(local, Tokens(bot="xoxb-test", signing_secret=SECRET))
    adapter = SlackAdapter(helpbot, local, client, identity, signing_secret=SECRET)
    runner, port = await serve_http(adapter, "127.0.0.1", 0)
    async with aiohttp.ClientSession() as session:
        yield Harness(fake, adapter, f"http://127.0.0.1:{port}/slack/events", session)
    await adapter.drain()
    await runner.cleanup()
    await close_client(client)
