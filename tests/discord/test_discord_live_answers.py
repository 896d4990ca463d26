"""Generated answers in Discord: the deferred response (or the reply to a mention) shows the answer
as it is written, then the final embed takes its place. Real discord.py, the loopback fake Discord."""

from __future__ import annotations

import pytest
from discord_support import isolate
from fake_discord import ALICE, BOT_ID, BOT_USER, CHANNEL_ID

from bot import strings
from bot.llm import writer as generation
from bot.llm import Generator, PromptTemplate
from tests.llm.fakes import EchoPassageLLM, in_scope_unanswered

EPHEMERAL = 64


@pytest.fixture(scope="module")
def writing_bot(tmp_path_factory):
    from bot.config import load_settings
    from bot.core.pipeline import HelpBot

    with pytest.MonkeyPatch.context() as mp:
        isolate(mp, tmp_path_factory.mktemp("writing-home"))
        bot = HelpBot(load_settings(None), generator=Generator(EchoPassageLLM(delay=0.01), PromptTemplate.load("answer")))
    bot.snapshot.calibration.answer_threshold = 0.9  # paraphrases fall to `unknown`: the LLM's case
    bot.swap(bot.snapshot)
    bot.composed_question = in_scope_unanswered(bot)
    yield bot
    bot.generator.close()


@pytest.fixture(autouse=True)
def previews_at_every_piece(writing_bot, monkeypatch):
    monkeypatch.setattr(generation, "PREVIEW_INTERVAL_S", 0.0)
    writing_bot.guard.state.reset()


def unwrapped(text: str) -> str:
    return text.removesuffix(strings.STILL_WRITING)


async def test_ask_previews_in_the_deferred_response_then_shows_the_embed(writing_bot, start_bot):
    async with start_bot(writing_bot, edit_interval_s=0.05) as (fake, client):
        ask = fake.slash("ask", {"question": writing_bot.composed_question}, author=ALICE)
        await fake.dispatch("INTERACTION_CREATE", ask)
        assert (await fake.callback_for(ask)).json == {"type": 5}
        original = rf"/webhooks/\d+/{ask['token']}/messages/@original"
        await fake.wait_for(lambda r: r.method == "PATCH" and "embeds" in (r.json or {}) and r.json["embeds"])
        edits = fake.find("PATCH", original)
        assert not fake.find("POST", rf"/webhooks/\d+/{ask['token']}")  # no extra follow-up message
    previews, final = [e.json for e in edits[:-1]], edits[-1].json
    assert previews and all(p["content"].endswith(strings.STILL_WRITING) for p in previews)
    assert all(p["allowed_mentions"] == {"parse": []} for p in previews)
    assert all(unwrapped(b["content"]).startswith(unwrapped(a["content"])) for a, b in zip(previews, previews[1:]))
    assert final["content"] is None or final["content"] == ""  # the preview text is gone
    (embed,) = final["embeds"]
    assert "help.tasklane.example" in str(embed) and "ref " in embed["footer"]["text"]
    assert final["components"]  # feedback buttons


async def test_mention_preview_is_a_reply_that_becomes_the_answer(writing_bot, start_bot):
    async with start_bot(writing_bot, edit_interval_s=0.05) as (fake, client):
        msg = fake.message_create(f"<@{BOT_ID}> {writing_bot.composed_question}", author=ALICE, mentions=[BOT_USER])
        await fake.dispatch("MESSAGE_CREATE", msg)
        await fake.wait_for(lambda r: r.method == "PATCH" and (r.json or {}).get("embeds"))
        [posted] = fake.find("POST", rf"/channels/{CHANNEL_ID}/messages")
        edits = fake.find("PATCH", rf"/channels/{CHANNEL_ID}/messages/\d+")
    assert posted.json["content"].endswith(strings.STILL_WRITING)
    assert posted.json["message_reference"]["message_id"] == int(msg["id"])
    assert {e.path for e in edits} == {edits[0].path}  # always the same message
    final = edits[-1].json
    assert final["embeds"] and not final.get("content")
    assert final["allowed_mentions"]["parse"] == []


async def test_logic_answers_are_sent_once(writing_bot, start_bot):
    async with start_bot(writing_bot) as (fake, client):
        ask = fake.slash("ask", {"question": "How do I invite someone to my workspace?"}, author=ALICE)
        await fake.dispatch("INTERACTION_CREATE", ask)
        body = (await fake.followup_for(ask)).json
    assert body["embeds"] and not fake.find("PATCH", r".*")
