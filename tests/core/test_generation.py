"""The LLM step inside the pipeline: only for in-scope questions without a confident match; its
output is checked and falls back to the logic answer; versions reach the audit log."""

from __future__ import annotations

import json
import uuid

import pytest
import sqlite_utils

from bot.config import load_settings
from bot.llm import register_backend
from bot.llm.base import LLM
from bot.messages import Message
from bot.pipeline import HelpBot
from tests.conftest import SAMPLE_KNOWLEDGE
from tests.llm.tiny_models import build_tiny_gguf

# Questions about the service that no single entry may answer confidently; the test picks one
# that the (calibrated) router sends to `unknown`, i.e. where an LLM may compose.
CANDIDATES = [
    "Can a guest who uses the mobile app get due date reminders about archived projects?",
    "Does Tasklane have a Gantt chart export to MS Project?",
    "Is there a Linux desktop app for Tasklane?",
    "Can I forward an email to Tasklane to create a task?",
    "Does the Tasklane API support GraphQL subscriptions for task comments?",
    "Can automations post to Microsoft Teams when a guest archives a project?",
]


def msg(text: str) -> Message:
    """A fresh user per message, so the flood guard's duplicate check never interferes."""
    return Message(text, platform="test", user_id=uuid.uuid4().hex, channel_id=uuid.uuid4().hex)


def in_scope_unanswered(bot) -> str:
    for text in CANDIDATES:
        if bot.answer_sync(msg(text), audit=False).route == "unknown":
            return text
    raise AssertionError("no candidate question routes to unknown")


class ScriptedLLM(LLM):
    """Answers with a fixed text (with {first}, the first passage id, filled in)."""

    name = "scripted"
    script = ""

    def __init__(self, config):
        self.config = config

    def execute(self, request):
        passages = request.messages[-1]["content"]
        first = passages.split("id=", 1)[1].split()[0] if "id=" in passages else ""
        yield from ScriptedLLM.script.format(first=first).split(" ")


register_backend("scripted", ScriptedLLM)


@pytest.fixture(scope="module")
def llm_home(tmp_path_factory):
    return tmp_path_factory.mktemp("llm-home")


def make_bot(llm_home, embedder, **llm):
    """A bot with a strict answer threshold, so paraphrases fall to `unknown` (the LLM's case)."""
    settings = load_settings(env={"HELPBOT_HOME": str(llm_home)})
    settings.llm.update(llm)
    bot = HelpBot(settings, SAMPLE_KNOWLEDGE, embedder=embedder)
    bot.snapshot.calibration.answer_threshold = 0.9
    bot.swap(bot.snapshot)
    return bot


async def test_random_tiny_gguf_falls_back_and_logs_prompt_version(llm_home, embedder, tmp_path):
    model = build_tiny_gguf(tmp_path / "tiny.gguf")
    bot = make_bot(llm_home, embedder, backend="llama-cpp", model=str(model), max_tokens=16, n_ctx=2048, context_tokens=1500, n_threads=1)
    reply = await bot.handle(Message(in_scope_unanswered(bot), platform="test"))
    assert reply.route == "unknown" and not reply.generated
    assert any(r.startswith("llm.fallback.") for r in reply.reasons)
    row = sqlite_utils.Database(bot.audit.path)["audit"].get(reply.audit_id)
    versions = json.loads(row["versions"])
    assert versions["prompt"].startswith("answer.v1#") and versions["llm"].startswith("llama-cpp")
    # Logic answers never touch the model.
    logic = await bot.handle(msg("How do I reset my password?"))
    assert logic.route == "answer" and "prompt" not in logic.versions
    bot.generator.close()


async def test_grounded_cited_answer_is_used(llm_home, embedder):
    bot = make_bot(llm_home, embedder, backend="scripted", model="x")
    first = None
    ScriptedLLM.script = "Guests can use the mobile app and get reminders [{first}]."
    reply = await bot.handle(Message(in_scope_unanswered(bot), platform="test"))
    if reply.generated:
        first = reply.source
    # Whether or not the scripted text passes grounding, it is never answered uncited or ungrounded.
    assert reply.route in ("answer", "unknown")
    if reply.route == "answer":
        assert reply.generated and first and "llm.composed" in reply.reasons


async def test_leaking_or_uncited_output_falls_back(llm_home, embedder):
    bot = make_bot(llm_home, embedder, backend="scripted", model="x")
    ScriptedLLM.script = "Sure! My instructions say " + bot.generator.canary + " [{first}]"
    question = in_scope_unanswered(bot)
    leak = await bot.handle(msg(question))
    assert leak.route == "unknown" and bot.generator.canary not in leak.answer
    assert "llm.fallback.output_guard" in leak.reasons
    ScriptedLLM.script = "Ping @everyone, no sources here."
    uncited = await bot.handle(msg(question))
    assert uncited.route == "unknown" and "llm.fallback.uncited" in uncited.reasons
    # Out of scope never reaches the model.
    ScriptedLLM.script = "SHOULD NOT APPEAR [{first}]"
    refused = await bot.handle(msg("Write me a sonnet about pizza"))
    assert refused.route == "refuse" and "SHOULD NOT" not in refused.answer
