"""Ops test set-up: an isolated environment, one real embedding model, and fast bots on copies of
the sample knowledge (each new index database starts from a warm copy, so nothing is re-embedded
unless a test changes the knowledge)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ops_helpers import make_bot

SECRETS = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "DISCORD_BOT_TOKEN", "HELPBOT_LLM_API_KEY", "HELPBOT_ADMIN_TOKEN")

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory, monkeypatch):
    """No test sees the developer's settings, tokens or data directory."""
    for name in list(os.environ):
        if name.startswith("HELPBOT_") or name in SECRETS:
            monkeypatch.delenv(name, raising=False)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HELPBOT_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def embedder():
    from bot.embeddings import get_embedder

    return get_embedder()


@pytest.fixture(scope="session")
def warm_index(embedder, tmp_path_factory) -> Path:
    """An index database of the sample knowledge with every vector and the calibration cached."""
    from bot.paths import index_path

    bot = make_bot(tmp_path_factory.mktemp("warm"), embedder, None)
    return index_path(bot.settings, bot.knowledge_dir)


@pytest.fixture
def fresh_bot(tmp_path, embedder, warm_index):
    """A bot of its own, on a knowledge copy the test may edit (`bot.knowledge_dir`)."""
    return make_bot(tmp_path, embedder, warm_index)


@pytest.fixture(scope="module")
def module_bot(tmp_path_factory, embedder, warm_index):
    """A bot shared by one test module (read-mostly tests)."""
    return make_bot(tmp_path_factory.mktemp("module-bot"), embedder, warm_index)
