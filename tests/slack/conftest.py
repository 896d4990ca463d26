"""Slack adapter tests: the real Bolt app over loopback HTTP, requests signed like Slack signs them,
and a loopback fake Slack Web API that records what Slack would have received."""

from __future__ import annotations

import pytest
import pytest_asyncio
from slack_helpers import ADMIN_IN_CONFIG, KNOWLEDGE, serving, settings_for

from fake_slack import FakeSlack



@pytest.fixture(scope="session")
def settings(session_home):
    """The session bot's settings: data in the session home (tests/conftest.py), one configured admin,
    the ops server (started by `serve`) on any free port."""
    from bot.config import load_settings

    env = {"HELPBOT_HOME": str(session_home), "HELPBOT_SLACK_ADMINS": ADMIN_IN_CONFIG, "HELPBOT_OPS_PORT": "0"}
    return load_settings(None, env=env)


@pytest.fixture(scope="session")
def helpbot(settings, embedder):
    """One HelpBot on the small test knowledge in ./knowledge (it includes text that tries to ping)."""
    from bot.core.pipeline import HelpBot

    return HelpBot(settings, knowledge_dir=KNOWLEDGE, embedder=embedder)


@pytest_asyncio.fixture
async def fake():
    server = await FakeSlack().start()
    yield server
    await server.close()


@pytest_asyncio.fixture
async def harness(fake, helpbot, settings):
    async with serving(fake, helpbot, settings_for(settings, fake)) as h:
        yield h


@pytest.fixture(autouse=True)
def fresh_guard_state(helpbot):
    """Tests reuse users and questions; flood and duplicate history must not leak between them."""
    helpbot.guard.state.reset()
