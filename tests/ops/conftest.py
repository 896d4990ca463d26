"""Ops test set-up: an isolated environment, one real embedding model, and fast bots on copies of
the sample knowledge (each new index database starts from a warm copy, so nothing is re-embedded
unless a test changes the knowledge)."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "knowledge"
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


def make_bot(folder: Path, embedder, warm_index: Path | None, **env: str):
    """A HelpBot on a fresh copy of the sample knowledge in `folder` (its own home and audit log)."""
    from bot.config import load_settings
    from bot.paths import index_path
    from bot.pipeline import HelpBot

    knowledge = folder / "knowledge"
    if not knowledge.exists():
        shutil.copytree(SAMPLE, knowledge)
    settings = load_settings(env={"HELPBOT_HOME": str(folder / "home"), **env})
    if warm_index is not None:
        shutil.copy(warm_index, index_path(settings, knowledge))
    return HelpBot(settings, knowledge, embedder=embedder)


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


# Invented traffic for stats and report tests: questions a help bot could get and not answer.
GAP_GROUPS = {
    "unknown": [
        ["How do I export my tasks to Excel?", "Can I export tasks to a spreadsheet?", "export tasks as xlsx file"],
        ["Is there a dark mode?", "How do I turn on the dark theme?", "dark mode setting"],
        ["Can I set tasks to repeat every week?", "How do I make a recurring task?"],
    ],
    "refuse": [
        ["What's the weather like tomorrow?", "Will it rain tomorrow?"],
        ["Write me a poem about cats"],
    ],
}


def seed_audit(db, days: int = 14, per_day: int = 30, seed: int = 7, now: dt.datetime | None = None) -> dict:
    """Insert synthetic audit and feedback rows spread over `days`; returns what was inserted, counted."""
    rng = random.Random(seed)
    now = now or dt.datetime.now(dt.timezone.utc)
    routes = ["answer"] * 12 + ["partial", "smalltalk", "smalltalk", "unknown", "unknown", "refuse", "block"]
    rows, feedback, counts = [], [], {}
    for day in range(days):
        for n in range(per_day):
            route = rng.choice(routes)
            ts = now - dt.timedelta(days=day, minutes=n * 7 + 1)
            text = "How do I invite a member?"
            if route in GAP_GROUPS:
                text = rng.choice(rng.choice(GAP_GROUPS[route]))
            reasons = ["guard.injection"] if route == "block" and n % 2 else ["guard.harm"] if route == "block" else []
            rows.append(
                {
                    "ts": ts.isoformat(timespec="milliseconds"),
                    "platform": rng.choice(["slack", "discord"]),
                    "user_hash": f"u{rng.randint(1, 40)}",
                    "channel": "C1",
                    "conversation": "c",
                    "route": route,
                    "source": "",
                    "sources": "[]",
                    "scores": "{}",
                    "reasons": json.dumps(reasons),
                    "latency_ms": rng.uniform(20, 60) if route != "answer" else rng.uniform(30, 400),
                    "text_redacted": text,
                    "generated": int(route == "answer" and n % 4 == 0),
                    "versions": "{}",
                    "message_ref": "",
                }
            )
            counts[route] = counts.get(route, 0) + 1
            if route == "answer" and n % 3 == 0:
                value = rng.choice(["helpful", "helpful", "helpful", "not_helpful", "should-have-answered"])
                feedback.append(
                    {"ts": rows[-1]["ts"], "platform": "slack", "message_ref": "m", "user_hash": "u", "value": value, "route": route, "source": ""}
                )
    db["audit"].insert_all(rows)
    if feedback:
        db["feedback"].insert_all(feedback)
    return {"routes": counts, "rows": rows, "feedback": feedback}
