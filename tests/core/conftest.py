"""Fixtures of the store tests: every test runs on both engines."""

import pytest

from bot.config import load_settings
from bot.core.store import open_store

ENGINES = ["sqlite", "postgresql"]


@pytest.fixture(params=ENGINES)
def settings(request, tmp_path):
    """Settings for one engine; a second `open_store(settings)` is a second replica."""
    env = {"HELPBOT_HOME": str(tmp_path)}
    if request.param == "postgresql":
        env["HELPBOT_DATABASE_URL"] = request.getfixturevalue("pg_url")
    return load_settings(env=env)


@pytest.fixture
def store(settings):
    opened = open_store(settings)
    yield opened
    opened.close()
