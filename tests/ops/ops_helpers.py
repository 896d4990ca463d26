"""Helpers shared by the ops tests: editing knowledge copies, asking questions, synthetic traffic."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import random
import shutil
from pathlib import Path

import yaml

from bot.messages import Message

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "knowledge"
INVITE_Q = "How do I invite someone to my workspace?"
_USERS = itertools.count()


def make_bot(folder: Path, embedder, warm_index: Path | None, **env: str):
    """A HelpBot on a fresh copy of the sample knowledge in `folder` (its own home and audit log)."""
    from bot.config import load_settings
    from bot.paths import index_path
    from bot.core.pipeline import HelpBot

    knowledge = folder / "knowledge"
    if not knowledge.exists():
        shutil.copytree(SAMPLE, knowledge)
    settings = load_settings(env={"HELPBOT_HOME": str(folder / "home"), **env})
    if warm_index is not None:
        shutil.copy(warm_index, index_path(settings, knowledge))
    return HelpBot(settings, knowledge, embedder=embedder)


def edit_faq(knowledge: Path, entry_id: str, answer: str | None = None, add_question: str | None = None, file: str = "members.yaml") -> None:
    path = knowledge / "faq" / file
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    for entry in entries:
        if entry["id"] == entry_id:
            if answer is not None:
                entry["answer"] = answer
            if add_question:
                entry["questions"].append(add_question)
            break
    else:
        raise AssertionError(f"{entry_id} not in {path}")
    path.write_text(yaml.safe_dump(entries, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")


def add_faq(knowledge: Path, entry_id: str, question: str, answer: str, file: str = "extra.yaml") -> None:
    path = knowledge / "faq" / file
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else []
    entries.append({"id": entry_id, "questions": [question], "answer": answer})
    path.write_text(yaml.safe_dump(entries, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _asker() -> str:
    """A new user per question: the guard blocks one user repeating a message, and tests ask the
    same question before and after a reload on purpose."""
    return f"tester-{next(_USERS)}"


def ask_sync(bot, text: str = INVITE_Q):
    return bot.answer_sync(Message(text, platform="test", user_id=_asker(), channel_id="T1"))


async def ask(bot, text: str = INVITE_Q, user: str | None = None, channel: str = "T1"):
    return await bot.handle(Message(text, platform="test", user_id=user or _asker(), channel_id=channel))


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
