"""Ops test set-up: fast bots on copies of the sample knowledge. Each new index database starts
from a warm copy, so nothing is re-embedded unless a test changes the knowledge.

`isolated_env` (autouse) and `embedder` come from tests/conftest.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from ops_helpers import make_bot


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
