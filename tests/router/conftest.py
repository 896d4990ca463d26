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
    from bot.search.embeddings import get_embedder

    return get_embedder()


def _make_bot(knowledge: Path, home: Path, embedder):
    from bot.config import load_settings
    from bot.core.pipeline import HelpBot

    return HelpBot(load_settings(env={"HELPBOT_HOME": str(home)}), knowledge, embedder=embedder)


@pytest.fixture(scope="session")
def make_bot(embedder):
    """make_bot(knowledge_dir, home_dir) -> HelpBot with the shared embedding model."""
    return lambda knowledge, home: _make_bot(Path(knowledge), Path(home), embedder)


@pytest.fixture(scope="session")
def sample_knowledge() -> Path:
    return SAMPLE_KNOWLEDGE


@pytest.fixture(scope="session")
def bot(embedder, tmp_path_factory):
    """One HelpBot on the bundled sample knowledge (Tasklane)."""
    return _make_bot(SAMPLE_KNOWLEDGE, tmp_path_factory.mktemp("bot-home"), embedder)


_users = iter(range(10**9))


def message(text: str, conversation: str | None = None):
    """A Message from a fresh user and channel, so the guard's flood limit never interferes."""
    from bot.messages import Message

    n = next(_users)
    return Message(text, platform="test", user_id=f"u{n}", channel_id=f"c{n}", conversation_id=conversation or f"conv{n}")


@pytest.fixture
def msg():
    return message


@pytest.fixture
def ask(bot):
    """ask(text, conversation=None) -> Reply, through the real pipeline (no audit row)."""
    return lambda text, conversation=None: bot.answer_sync(message(text, conversation), audit=False)


@pytest.fixture
def shared_data() -> Path:
    """../shared/data, or skip when it is absent (a user's checkout has none)."""
    if not (SHARED_DATA / "clinc150").is_dir():
        pytest.skip("../shared/data is absent")
    return SHARED_DATA


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO
