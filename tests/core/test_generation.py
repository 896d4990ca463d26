"""The LLM step inside the pipeline: only for in-scope questions without a confident match; its
output is checked and falls back to the logic answer; versions reach the audit log."""

from __future__ import annotations

import asyncio
import json
import time
import uuid

import pytest
import sqlite_utils

from bot.config import load_settings
from bot.llm.base import LLM
from bot.llm import writer as generation
from bot.messages import Message, Progress
from bot.core.pipeline import HelpBot
from tests.conftest import SAMPLE_KNOWLEDGE
from tests.llm.fakes import in_scope_unanswered
from tests.llm.tiny_models import build_tiny_gguf
from tests.plugin_support import installed

def msg(text: str) -> Message:
    """A fresh user per message, so the flood guard's duplicate check never interferes."""
    return Message(text, platform="test", user_id=uuid.uuid4().hex, channel_id=uuid.uuid4().hex)


class ScriptedLLM(LLM):
    """Answers with a fixed text, word by word (`delay` s apart), with {first} (the first passage's
    id) and {text} (its text) filled in. Counts the words the pipeline pulled."""

    name = "scripted"
    script = ""
    delay = 0.0
    pulled = 0

    def __init__(self, config):
        self.config = config

    def execute(self, request):
        passages = request.messages[-1]["content"]
        first = passages.split("id=", 1)[1].split()[0] if "id=" in passages else ""
        text = passages.split(">>>\n", 1)[1].split("\n<<<END>>>", 1)[0] if ">>>\n" in passages else ""
        ScriptedLLM.pulled = 0
        for n, word in enumerate(ScriptedLLM.script.format(first=first, text=text).split(" ")):
            time.sleep(ScriptedLLM.delay)
            ScriptedLLM.pulled += 1
            yield word if n == 0 else " " + word


@pytest.fixture(scope="module", autouse=True)
def scripted_backend(tmp_path_factory):
    """`[llm] backend = "scripted"`, installed through a real entry point."""
    with installed(tmp_path_factory.mktemp("plugins"),
                   {"helpbot.llm_backends": {"scripted": f"{__name__}:ScriptedLLM"}}):
        yield


@pytest.fixture(scope="module")
def llm_home(tmp_path_factory):
    return tmp_path_factory.mktemp("llm-home")


def recorder(error: Exception | None = None):
    """A progress sink that keeps every update (then raises `error`, when one is given)."""
    updates: list[Progress] = []

    async def sink(update):
        updates.append(update)
        if error is not None:
            raise error

    return updates, sink


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


@pytest.fixture
def scripted(monkeypatch):
    monkeypatch.setattr(generation, "PREVIEW_INTERVAL_S", 0.0)  # every piece is a preview
    ScriptedLLM.delay, ScriptedLLM.script = 0.0, ""
    yield ScriptedLLM


async def test_grounded_cited_answer_is_used_and_streamed(llm_home, embedder, scripted):
    bot = make_bot(llm_home, embedder, backend="scripted", model="x")
    scripted.script = "{text} [{first}]"
    seen, progress = recorder()
    reply = await bot.handle(msg(in_scope_unanswered(bot)), progress)
    assert reply.route == "answer" and reply.generated and "llm.composed" in reply.reasons
    assert reply.source and f"[{reply.source}]" in reply.answer
    texts = [p.text for p in seen if p.kind == "text"]
    assert len(texts) >= 3 and all(b.startswith(a) for a, b in zip(texts, texts[1:]))  # it grows
    assert reply.answer.startswith(texts[-1].split(" [")[0][:40])
    # Logic answers are never streamed.
    seen.clear()
    logic = await bot.handle(msg("How do I reset my password?"), progress)
    assert logic.route == "answer" and not logic.generated and seen == []


async def test_leak_in_a_preview_stops_the_model_and_is_never_shown(llm_home, embedder, scripted):
    bot = make_bot(llm_home, embedder, backend="scripted", model="x")
    words = " ".join(f"w{n}" for n in range(200))
    scripted.script = "My secret marker is " + bot.generator.canary + " " + words + " [{first}]"
    scripted.delay = 0.002
    shown, progress = recorder()
    reply = await bot.handle(msg(in_scope_unanswered(bot)), progress)
    assert reply.route == "unknown" and not reply.generated
    assert "llm.fallback.output_guard" in reply.reasons and "llm.stopped_early" in reply.reasons
    assert not any(bot.generator.canary in u.text for u in shown)
    await asyncio.sleep(0.1)  # the worker notices the stop flag at its next piece
    assert scripted.pulled < 50  # stopped long before the 200+ words were written


async def test_a_failing_progress_sink_never_costs_the_answer(llm_home, embedder, scripted):
    bot = make_bot(llm_home, embedder, backend="scripted", model="x")
    scripted.script = "{text} [{first}]"
    calls, broken = recorder(RuntimeError("platform down"))
    reply = await bot.handle(msg(in_scope_unanswered(bot)), broken)
    assert reply.route == "answer" and reply.generated
    assert len(calls) == 1  # switched off after the first failure


async def test_waiting_users_are_told_their_position(llm_home, embedder, scripted):
    bot = make_bot(llm_home, embedder, backend="scripted", model="x")
    scripted.script = "{text} [{first}]"
    scripted.delay = 0.02
    question = in_scope_unanswered(bot)
    (updates_0, sink_0), (updates_1, sink_1) = recorder(), recorder()
    updates = {0: updates_0, 1: updates_1}
    first = asyncio.create_task(bot.handle(msg(question), sink_0))
    while not any(u.kind == "text" for u in updates[0]):
        await asyncio.sleep(0.005)
    second = await bot.handle(msg(question), sink_1)
    assert (await first).generated and second.generated
    assert updates[1][0] == Progress("queued", position=1)
    assert not any(u.kind == "queued" for u in updates[0])


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
