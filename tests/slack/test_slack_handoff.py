"""Working alongside people, through the real Bolt app with signed requests against the fake Slack:
answer channels and quiet mode, "Ask a person", people's answers in the handoff thread, "Save as
FAQ" (button, message shortcut, modal, view_submission) and the whole loop back to an answer."""

from __future__ import annotations

import asyncio
import json
import logging
import shutil

import pytest
import pytest_asyncio
import yaml
from slack_helpers import ADMIN_IN_CONFIG, KNOWLEDGE, serving, strings_in

from bot import strings
from bot.handoff.learn import LEARNED

pytestmark = pytest.mark.asyncio(loop_scope="session")

TEAM = "C0TEAM"  # [handoff] slack_channel
HELP = "C0HELP"  # [slack] answer_channels
UNKNOWN = "Is there a dark mode in Pebble?"  # in scope, not in the test knowledge
HUMAN_ANSWER = "Yes: open Settings → Appearance and pick Dark. It follows your system theme by default."
TOKEN = "xoxb-" + "1234567890-0987654321-" + "AbCdEfGhIjKlMnOpQrStUvWx"


def local_settings(home, fake, **extra):
    from bot.config import load_settings

    env = {"HELPBOT_HOME": str(home), "HELPBOT_SLACK_ADMINS": ADMIN_IN_CONFIG, "HELPBOT_OPS_PORT": "0",
           "HELPBOT_SLACK_API_URL": fake.api_url, "HELPBOT_HANDOFF_SLACK_CHANNEL": TEAM,
           "HELPBOT_SLACK_ANSWER_CHANNELS": HELP, "HELPBOT_SLACK_QUIET_REACTION": "shrug", **extra}
    return load_settings(None, env=env)


@pytest.fixture(scope="module")
def warm(tmp_path_factory, embedder):
    """The test knowledge's index, embedded once for the module (each test copies it)."""
    from bot.config import load_settings
    from bot.core.pipeline import HelpBot
    from bot.paths import index_path

    folder = tmp_path_factory.mktemp("warm-handoff")
    shutil.copytree(KNOWLEDGE, folder / "knowledge")
    settings = load_settings(env={"HELPBOT_HOME": str(folder / "home")})
    bot = HelpBot(settings, folder / "knowledge", embedder=embedder)
    return index_path(bot.settings, bot.knowledge_dir)


@pytest_asyncio.fixture
async def loop(tmp_path, embedder, warm, fake):
    """A bot of its own on a writable copy of the test knowledge, served with the handoff settings."""
    from bot.core.pipeline import HelpBot
    from bot.paths import index_path

    shutil.copytree(KNOWLEDGE, tmp_path / "knowledge")
    settings = local_settings(tmp_path / "home", fake)
    shutil.copy(warm, index_path(settings, tmp_path / "knowledge"))
    bot = HelpBot(settings, tmp_path / "knowledge", embedder=embedder)
    async with serving(fake, bot, settings) as h:
        h.bot = bot
        yield h


async def eventually(predicate, timeout: float = 15.0) -> None:
    """Poll `predicate` (state the bot keeps, which no call to the fake Slack announces)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await asyncio.to_thread(predicate):
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


def blocks_of(call) -> list[dict]:
    blocks = call.args.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def button(call, action_id: str) -> dict | None:
    for block in blocks_of(call):
        for element in block.get("elements", []):
            if element.get("action_id") == action_id:
                return element
    return None


def posted_in(fake, channel: str, thread: str | None = None):
    return [c for c in fake.calls_to("chat.postMessage")
            if c.args.get("channel") == channel and (thread is None or c.args.get("thread_ts") == thread)]


async def ask_and_get_reply(h, text: str, channel: str = "C1", user: str = "UALICE"):
    before = len(posted_in(h.fake, channel))
    ts = await h.mention(text, channel=channel, user=user)
    await h.fake.wait_for(lambda: len(posted_in(h.fake, channel)) > before)
    return ts, posted_in(h.fake, channel)[-1]


async def ask_a_person(h, reply_call, question_ts: str, user: str = "UALICE", channel: str = "C1"):
    ask = button(reply_call, "helpbot_ask_person")
    assert ask is not None and ask["text"]["text"] == strings.ASK_PERSON_BUTTON
    message = {"ts": "1700000000.900000", "thread_ts": question_ts, "text": reply_call.args["text"]}
    before = len(h.fake.calls_to("response_url"))
    assert await h.press("helpbot_ask_person", ask["value"], user, reply_call.args.get("channel", channel), message) == 200
    await h.fake.wait_for(lambda: len(h.fake.calls_to("response_url")) > before)
    return h.fake.calls_to("response_url")[-1]


async def open_form(h, count: int):
    await h.fake.wait_calls("views.open", count)
    view = h.fake.calls_to("views.open")[count - 1].args["view"]
    return json.loads(view) if isinstance(view, str) else view


def initial(view: dict) -> dict[str, str]:
    return {b["block_id"]: b["element"].get("initial_value", "") for b in view["blocks"] if b["type"] == "input"}


async def test_the_whole_loop_unknown_ask_a_person_human_answer_admin_saves_then_answered(loop):
    h = loop
    question = UNKNOWN + " Write to me at ann@example.com"
    question_ts, reply = await ask_and_get_reply(h, question)
    assert "help@pebble.example" in reply.args["text"]  # unknown: the contact line, and the button
    response = await ask_a_person(h, reply, question_ts)
    assert response.args["text"] == strings.HANDOFF_SENT and response.args["response_type"] == "ephemeral"
    [post] = posted_in(h.fake, TEAM)
    shown = " ".join(strings_in(post.args))
    assert "dark mode" in shown and "[EMAIL]" in shown and "ann@example.com" not in shown  # redacted like the audit
    assert f"https://test.slack.invalid/archives/C1/p{question_ts.replace('.', '')}" in shown  # link to the question
    assert "<@UALICE>" in post.args["text"] and "<!" not in post.args["text"]
    handoff = await asyncio.to_thread(h.adapter.handoff.desk.by_id, 1)
    assert handoff.post_ref.startswith(f"{TEAM}/")
    post_ts = handoff.post_ref.split("/")[1]

    # A second click (or another person's) never posts twice.
    again = await ask_a_person(h, reply, question_ts, user="UBOB")
    assert again.args["text"] == strings.HANDOFF_ALREADY and len(posted_in(h.fake, TEAM)) == 1

    # A person answers in the handoff thread; the bot does not answer there itself.
    await h.event({"type": "message", "channel": TEAM, "user": "USUPPORT", "text": HUMAN_ANSWER,
                   "ts": h.next_ts(), "thread_ts": post_ts, "channel_type": "channel"})
    await eventually(lambda: h.adapter.handoff.desk.by_id(handoff.id).state == "answered")
    assert posted_in(h.fake, TEAM, post_ts) == []

    # Only admins may open the form.
    save = button(post, "helpbot_save_faq")
    assert save is not None
    assert await h.press("helpbot_save_faq", save["value"], "UBOB", TEAM, {"ts": post_ts, "text": ""}) == 200
    denied = await h.fake.wait_for(lambda: [c for c in h.fake.calls_to("response_url")
                                            if c.args.get("text") == strings.SAVE_FAQ_ADMINS_ONLY])
    assert denied and not h.fake.calls_to("views.open")

    # The admin opens it: the asker's question and the person's answer are filled in.
    assert await h.press("helpbot_save_faq", save["value"], ADMIN_IN_CONFIG, TEAM, {"ts": post_ts, "text": ""}) == 200
    view = await open_form(h, 1)
    filled = initial(view)
    assert filled["questions"].startswith(UNKNOWN) and "[EMAIL]" in filled["questions"]
    assert filled["answer"].startswith("Yes: open Settings → Appearance") and filled["id"].startswith("is-there-a-dark-mode")
    values = {**filled, "questions": UNKNOWN + "\nCan I switch Pebble to a dark theme?", "url": ""}
    status, answer = await h.submit(view, values, ADMIN_IN_CONFIG)
    assert status == 200 and not (answer or {}).get("errors")

    # Saved, reloaded, and said in the handoff thread with the entry id.
    said = await h.fake.wait_for(lambda: posted_in(h.fake, TEAM, post_ts))
    assert f"`{filled['id']}`" in said[0].args["text"] and strings.SAVE_FAQ_RELOADED in said[0].args["text"]
    text = (h.bot.knowledge_dir / LEARNED).read_text()
    assert f"# saved by slack:{ADMIN_IN_CONFIG} at " in text
    [entry] = yaml.safe_load(text)
    assert entry["questions"] == [UNKNOWN, "Can I switch Pebble to a dark theme?"] and entry["answer"] == HUMAN_ANSWER

    # The same question, from anyone, is now answered from the new entry (no "Ask a person").
    _, answer_call = await ask_and_get_reply(h, UNKNOWN, user="UCAROL")
    assert "Settings → Appearance" in answer_call.args["text"] and button(answer_call, "helpbot_ask_person") is None
    row = h.bot.audit.store.execute("select route, source from audit order by id desc limit 1").fetchone()
    assert tuple(row) == ("answer", filled["id"])

    from bot.ops.stats import compute_stats

    loop_stats = compute_stats(h.bot.audit.store, 1)["handoffs"]
    assert (loop_stats["total"], loop_stats["answered"], loop_stats["saved"]) == (1, 1, 1)
    assert loop_stats["answered_questions"][0]["faq_id"] == filled["id"]


async def test_bad_saves_show_the_reason_in_the_modal_and_write_nothing(loop):
    h = loop
    await h.shortcut("helpbot_save_faq", {"ts": h.next_ts(), "text": "Some answer", "user": "USUPPORT"}, ADMIN_IN_CONFIG, "C1")
    view = await open_form(h, 1)
    good = {"questions": "How do I print a note?", "answer": "File → Print.", "id": "print-note", "url": ""}
    cases = [
        ({"answer": "  "}, "answer", "empty"),
        ({"answer": "x" * 2990 + " " + "y" * 1200}, "answer", None),  # Slack caps the field; ours caps at 4000
        ({"questions": ""}, "questions", "at least one"),
        ({"id": "reset-password"}, "id", "already used"),
        ({"id": "Not An Id"}, "id", "lower-case"),
        ({"answer": f"Use the token {TOKEN} to sign in"}, "answer", "secret"),
        ({"url": "ftp://x"}, "url", "https://"),
    ]
    for change, field, words in cases:
        status, answer = await h.submit(view, {**good, **change}, ADMIN_IN_CONFIG)
        assert status == 200 and answer["response_action"] == "errors", change
        assert field in answer["errors"] and (words is None or words in answer["errors"][field]), answer
    status, answer = await h.submit(view, good, "UBOB")  # not an admin: refused in the modal as well
    assert answer["errors"]["answer"] == strings.SAVE_FAQ_ADMINS_ONLY
    assert not (h.bot.knowledge_dir / LEARNED).exists()
    assert TOKEN not in " ".join(strings_in([c.args for c in h.fake.calls]))


async def test_two_admins_saving_at_once_both_land(loop):
    h = loop
    await h.shortcut("helpbot_save_faq", {"ts": h.next_ts(), "text": "An answer"}, ADMIN_IN_CONFIG, "C1")
    view = await open_form(h, 1)
    results = await asyncio.gather(*[
        h.submit(view, {"questions": f"Parallel question {i}?", "answer": f"Answer {i}.", "id": f"parallel-{i}", "url": ""},
                 ADMIN_IN_CONFIG) for i in range(4)])
    assert all(status == 200 and not (answer or {}).get("errors") for status, answer in results)
    await h.fake.wait_for(lambda: sum("Saved as FAQ entry" in (c.args.get("text") or "")
                                      for c in h.fake.calls_to("chat.postMessage")) == 4, timeout=60)
    ids = sorted(e["id"] for e in yaml.safe_load((h.bot.knowledge_dir / LEARNED).read_text()))
    assert ids == [f"parallel-{i}" for i in range(4)]
    assert {f"parallel-{i}" for i in range(4)} <= set(h.bot.snapshot.kb.by_id())


async def test_the_shortcut_on_an_answer_in_the_original_thread_prefills_the_question(loop):
    h = loop
    question_ts, _ = await ask_and_get_reply(h, UNKNOWN)
    human = {"ts": h.next_ts(), "thread_ts": question_ts, "user": "USUPPORT", "text": f"Try Settings → Appearance. {TOKEN}"}
    await h.shortcut("helpbot_save_faq", human, "UBOB", "C1")  # not an admin: told so, no form
    await h.fake.wait_for(lambda: [c for c in h.fake.calls_to("response_url") if c.args.get("text") == strings.SAVE_FAQ_ADMINS_ONLY])
    assert not h.fake.calls_to("views.open")
    await h.shortcut("helpbot_save_faq", human, ADMIN_IN_CONFIG, "C1")
    filled = initial(await open_form(h, 1))
    assert filled["questions"] == UNKNOWN and filled["answer"].startswith("Try Settings → Appearance.")
    assert TOKEN not in filled["answer"] and "[SECRET]" in filled["answer"]  # secrets never reach the form


async def test_a_handoff_channel_the_bot_is_not_in(loop, caplog):
    h = loop
    question_ts, reply = await ask_and_get_reply(h, UNKNOWN)  # the asker has the bot's reply
    h.fake.queue_response("chat.postMessage", 200, {"ok": False, "error": "not_in_channel"})
    with caplog.at_level(logging.ERROR, logger="helpbot.handoff"):
        response = await ask_a_person(h, reply, question_ts)
    assert response.args["text"] == strings.HANDOFF_FAILED.format(
        contact_line=strings.CONTACT_LINE.format(contact="help@pebble.example"))
    assert "not_in_channel" in caplog.text and "invite the bot" in caplog.text and TEAM in caplog.text
    # Fixed (the bot was invited): the next click goes through.
    response = await ask_a_person(h, reply, question_ts)
    assert response.args["text"] == strings.HANDOFF_SENT and len(posted_in(h.fake, TEAM)) == 2  # refused, then posted
    from bot.ops.stats import compute_stats, format_stats

    stats = compute_stats(h.bot.audit.store, 1)
    assert stats["handoffs"]["failed"] == 1 and "could not be posted 1" in format_stats(stats)


async def test_not_helpful_offers_a_person_too(loop):
    h = loop
    question_ts, reply = await ask_and_get_reply(h, "How do I export my notes?")
    assert button(reply, "helpbot_ask_person") is None  # an answer: no button until it is rated not helpful
    not_helpful = button(reply, "helpbot_feedback_not_helpful")
    await h.press("helpbot_feedback_not_helpful", not_helpful["value"], "UALICE", "C1",
                  {"ts": "1700000000.800000", "thread_ts": question_ts, "text": reply.args["text"]}, block_id="helpbot_feedback")
    thanks = await h.fake.wait_for(lambda: h.fake.calls_to("response_url"))
    offer = button(thanks[-1], "helpbot_ask_person")
    assert thanks[-1].args["text"] == strings.FEEDBACK_THANKS and offer is not None
    response = await ask_a_person(h, thanks[-1], question_ts)
    assert response.args["text"] == strings.HANDOFF_SENT
    assert "export" in " ".join(strings_in(posted_in(h.fake, TEAM)[0].args)).lower()


async def test_answer_channels_answer_every_new_question_and_stay_quiet_otherwise(loop):
    h = loop
    ts = h.next_ts()
    await h.event({"type": "message", "channel": HELP, "user": "UALICE", "text": "How do I export my notes?", "ts": ts,
                   "channel_type": "channel"})
    [answer] = await h.fake.wait_for(lambda: posted_in(h.fake, HELP))
    assert answer.args["thread_ts"] == ts and "File → Export" in answer.args["text"]
    # Off-topic in the help channel: no reply, the quiet reaction only.
    quiet_ts = h.next_ts()
    await h.event({"type": "message", "channel": HELP, "user": "UBOB", "text": "What's the weather in Paris tomorrow?",
                   "ts": quiet_ts, "channel_type": "channel"})
    await h.fake.wait_for(lambda: [c for c in h.fake.calls_to("reactions.add") if c.args.get("name") == "shrug"])
    # A follow-up in the answered thread is answered; other channels still need a mention.
    await h.event({"type": "message", "channel": HELP, "user": "UALICE", "text": "How do I reset my Pebble password?",
                   "ts": h.next_ts(), "thread_ts": ts, "channel_type": "channel"})
    await h.event({"type": "message", "channel": "C1", "user": "UALICE", "text": "How do I export my notes?",
                   "ts": h.next_ts(), "channel_type": "channel"})
    await h.fake.wait_for(lambda: len(posted_in(h.fake, HELP)) == 2)
    await h.adapter.serving.drain()
    assert len(posted_in(h.fake, HELP)) == 2 and not posted_in(h.fake, "C1")
    assert all(c.args.get("thread_ts") == ts for c in posted_in(h.fake, HELP))
    assert not [c for c in posted_in(h.fake, HELP) if c.args.get("thread_ts") == quiet_ts]


async def test_a_crisis_message_in_an_answer_channel_is_never_met_with_silence(loop):
    h = loop
    await h.event({"type": "message", "channel": HELP, "user": "UCRISIS", "text": "I want to kill myself",
                   "ts": h.next_ts(), "channel_type": "channel"})
    [reply] = await h.fake.wait_calls("chat.postEphemeral")  # only to them, with the support resources
    assert strings.CRISIS_RESOURCES.split(" (")[0] in " ".join(strings_in(reply.args))
    assert not [c for c in h.fake.calls_to("reactions.add") if c.args.get("name") == "shrug"]


async def test_without_a_handoff_channel_there_is_no_button(harness):
    h = harness  # the session bot's settings: no [handoff] slack_channel
    ts = await h.mention(UNKNOWN)
    [reply] = await h.fake.wait_calls("chat.postMessage")
    assert reply.args["thread_ts"] == ts and button(reply, "helpbot_ask_person") is None
