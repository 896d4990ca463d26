"""Shared test set-up: an isolated environment for every test, and one real embedding model."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE_KNOWLEDGE = REPO / "knowledge"
SHARED_DATA = REPO.parent / "shared" / "data"

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

_SECRETS = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET",
            "SLACK_STATE_SECRET", "DISCORD_BOT_TOKEN", "HELPBOT_LLM_API_KEY", "HELPBOT_ADMIN_TOKEN")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory, monkeypatch):
    """No test sees the developer's settings, tokens or data directory."""
    for name in list(os.environ):
        if name.startswith("HELPBOT_") or name in _SECRETS:
            monkeypatch.delenv(name, raising=False)
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HELPBOT_HOME", str(home))
    monkeypatch.setenv("HELPBOT_OPS_PORT", "0")  # any free port: tests never collide on 8787
    return home


@pytest.fixture(scope="session")
def embedder():
    from bot.search.embeddings import get_embedder

    return get_embedder()


@pytest.fixture(scope="session")
def session_home(tmp_path_factory):
    return tmp_path_factory.mktemp("session-home")


@pytest.fixture(scope="session")
def sample_bot(embedder, session_home):
    """One HelpBot on the bundled sample knowledge, shared by read-only tests."""
    from bot.config import load_settings
    from bot.core.pipeline import HelpBot

    settings = load_settings(env={"HELPBOT_HOME": str(session_home)})
    return HelpBot(settings, SAMPLE_KNOWLEDGE, embedder=embedder)


def shared_data_or_skip() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is absent")
    return SHARED_DATA


@pytest.fixture(scope="session")
def pg_server():
    """One throwaway PostgreSQL server for the session (tests/pg_support.py); skipped only where no
    server binary is installed (CI installs one)."""
    from tests.pg_support import NO_SERVER, PgServer, server_bin

    found = server_bin()
    if found is None:
        pytest.skip(NO_SERVER)
    server = PgServer(found)
    server.start()
    yield server
    server.close()


@pytest.fixture
def pg_url(pg_server, request):
    """A fresh, empty database on the session's server."""
    import re

    name = "t_" + re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:40] + f"_{os.getpid()}_{id(request) % 100000}"
    return pg_server.create_database(name)
