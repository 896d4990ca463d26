"""Generated answers in Slack: a preview message that grows with chat.update, then the final answer
in its place; logic answers stay a single post. Real Bolt, signed requests, the loopback fake Slack."""

from __future__ import annotations

import pytest
import pytest_asyncio
from slack_helpers import KNOWLEDGE, serving, settings_for, strings_in

from bot import strings
from bot.llm import writer as generation
from bot.llm import Generator, PromptTemplate
from tests.llm.fakes import EchoPassageLLM

pytestmark = pytest.mark.asyncio(loop_scope="session")

# In scope, but worded unlike any FAQ phrasing: with a strict answer threshold it goes to the LLM.
COMPOSED = "how long is the link to reset a password valid"


@pytest.fixture(scope="module")
def llm():
    return EchoPassageLLM(delay=0.01)


@pytest.fixture(scope="module")
def writing_bot(settings, embedder, llm):
    from bot.core.pipeline import HelpBot

    bot = HelpBot(settings, knowledge_dir=KNOWLEDGE, embedder=embedder,
                  generator=Generator(llm, PromptTemplate.load("answer")))
    bot.snapshot.calibration.answer_threshold = 0.99  # only exact FAQ matches are logic answers
    bot.swap(bot.snapshot)
    yield bot
    bot.generator.close()


@pytest_asyncio.fixture
async def live(fake, writing_bot, settings, monkeypatch):
    monkeypatch.setattr(generation, "PREVIEW_INTERVAL_S", 0.0)
    writing_bot.guard.state.reset()
    local = settings_for(settings, fake)
    local.data["slack"]["edit_interval_s"] = 0.05
    async with serving(fake, writing_bot, local) as h:
        yield h


def texts(calls) -> list[str]:
    return [c.args.get("text", "") for c in calls]


async def test_generated_answer_is_previewed_then_replaced(live):
    ts = await live.mention(COMPOSED)
    await live.fake.wait_for(lambda: any("blocks" in c.args for c in live.fake.calls_to("chat.update")))
    [preview] = live.fake.calls_to("chat.postMessage")  # one message in all: no second post
    assert preview.args["thread_ts"] == ts and preview.args["text"].endswith(strings.STILL_WRITING)
    updates = live.fake.calls_to("chat.update")
    assert all(u.args["ts"] == updates[0].args["ts"] and u.args["channel"] == "C1" for u in updates)
    shown = [preview.args["text"], *texts(updates[:-1])]
    assert len(shown) >= 2
    assert all(b.removesuffix(strings.STILL_WRITING).startswith(a.removesuffix(strings.STILL_WRITING))
               for a, b in zip(shown, shown[1:]))  # the preview only grows
    final = updates[-1]
    assert final.at >= max(u.at for u in updates)
    body = "\n".join(strings_in(final.args["blocks"]))
    assert "Forgot password?" in body and "help.pebble.example/reset-password" in body
    assert "helpbot_feedback_helpful" in body
    assert strings.STILL_WRITING not in final.args["text"]


async def test_logic_answer_is_posted_once_without_preview(live):
    await live.mention("How do I reset my Pebble password?")
    [post] = await live.fake.wait_calls("chat.postMessage")
    await live.fake.wait_calls("reactions.remove")
    assert "blocks" in post.args and live.fake.calls_to("chat.update") == []


async def test_slash_command_previews_within_response_url_limits(live, llm, monkeypatch):
    monkeypatch.setattr(llm, "delay", 0.03)
    assert await live.command(f"ask {COMPOSED}") == 200
    await live.fake.wait_for(lambda: any("blocks" in c.args for c in live.fake.calls_to("response_url")))
    calls = live.fake.calls_to("response_url")
    assert len(calls) <= 5  # Slack accepts five uses of a response_url
    assert calls[0].args["replace_original"] is False and all(c.args["replace_original"] for c in calls[1:])
    assert all(c.args["response_type"] == "ephemeral" for c in calls)
    assert "Forgot password?" in "\n".join(strings_in(calls[-1].args["blocks"]))


async def test_preview_failure_still_delivers_the_answer(live):
    live.fake.queue_response("chat.postMessage", 200, {"ok": False, "error": "fatal_error"})  # (ratelimited is retried)
    await live.mention(COMPOSED)
    # The preview could not be posted, so the answer arrives as a normal post.
    posts = await live.fake.wait_calls("chat.postMessage", 2)
    assert "Forgot password?" in "\n".join(strings_in(posts[1].args["blocks"]))
