"""Router test set-up: an isolated environment, one real embedding model, one sample bot."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLE_KNOWLEDGE = REPO / "knowledge"
SHARED_DATA = REPO.parent / "shared" / "data"
_SECRETS = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "DISCORD_BOT_TOKEN", "HELPBOT_LLM_API_KEY", "HELPBOT_ADMIN_TOKEN")

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


@pytest.fixture(autouse=True)
def router_env(tmp_path_factory, monkeypatch):
    """No test sees the developer's settings, tokens or data directory."""
    for name in list(os.environ):
        if name.startswith("HELPBOT_") or name in _SECRETS:
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HELPBOT_HOME", str(tmp_path_factory.mktemp("home")))


@pytest.fixture(scope="session")
def embedder():
    from bot.embeddings import get_embedder

    return get_embedder()


def make_bot(knowledge: Path, home: Path, embedder, **env):
    from bot.config import load_settings
    from bot.pipeline import HelpBot

    settings = load_settings(env={"HELPBOT_HOME": str(home), **env})
    return HelpBot(settings, knowledge, embedder=embedder)


@pytest.fixture(scope="session")
def bot(embedder, tmp_path_factory):
    """One HelpBot on the bundled sample knowledge (Tasklane)."""
    return make_bot(SAMPLE_KNOWLEDGE, tmp_path_factory.mktemp("bot-home"), embedder)


@pytest.fixture
def ask(bot):
    """ask(text, conversation=None) -> Reply, through the real pipeline (no audit row)."""
    from bot.messages import Message

    counter = iter(range(10**6))

    def _ask(text: str, conversation: str | None = None):
        conv = conversation or f"test-{next(counter)}-{id(text)}"
        return bot.answer_sync(Message(text, platform="test", conversation_id=conv), audit=False)

    return _ask


def shared_data_or_skip() -> Path:
    if not (SHARED_DATA / "clinc150").is_dir():
        pytest.skip("../shared/data is absent")
    return SHARED_DATA
