"""Helpers shared by the ops tests: editing knowledge copies and asking questions."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.messages import Message

INVITE_Q = "How do I invite someone to my workspace?"


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


def ask_sync(bot, text: str = INVITE_Q):
    return bot.answer_sync(Message(text, platform="test", user_id="tester", channel_id="T1"))


async def ask(bot, text: str = INVITE_Q, user: str = "tester"):
    return await bot.handle(Message(text, platform="test", user_id=user, channel_id="T1"))
