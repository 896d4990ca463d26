"""The platform-neutral handoff core: handoff rows, the learned-FAQ writer, the loop in stats and report.
Real SQLite, the real knowledge loader and reload, on a copy of the sample knowledge."""

from __future__ import annotations

import asyncio
import threading

import pytest
import yaml

from bot.handoff import HandoffDesk, offers_handoff, quiet
from bot.handoff.learn import LEARNED, LearnedEntry, LearnedFaq, SaveRefused, parse_questions, prefill, suggest_id
from bot.messages import Message, Reply
from bot.ops.report import render_report
from bot.ops.stats import compute_stats, format_stats

SLACK_TOKEN = "xoxb-" + "1234567890-0987654321-" + "AbCdEfGhIjKlMnOpQrStUvWx"


def ask(bot, text: str, user: str = "U1", conversation: str = "slack:C1:1.000001") -> Reply:
    return bot.answer_sync(Message(text, platform="slack", user_id=user, channel_id="C1", conversation_id=conversation))


UNKNOWN_Q = "Do you offer discounts for nonprofit organizations?"


def test_quiet_and_offer_follow_the_route():
    assert quiet(Reply("refuse", "x")) and quiet(Reply("unknown", "x"))
    assert not quiet(Reply("block", "x", reasons=["harm.self_harm"], ephemeral=True))  # crisis replies always go out
    assert not quiet(Reply("unknown", "x", reasons=["closest_sections"])) and not quiet(Reply("answer", "x"))
    assert quiet(Reply("smalltalk", "x", reasons=["smalltalk.thanks"])) and quiet(Reply("smalltalk", "x", reasons=["style.none"]))
    assert not quiet(Reply("smalltalk", "x", reasons=["smalltalk.greeting"]))  # about to ask: say hello
    assert not quiet(Reply("smalltalk", "x", reasons=["smalltalk.help"]))
    assert offers_handoff(Reply("unknown", "x", audit_id=3), "C0HELP")
    assert not offers_handoff(Reply("unknown", "x", audit_id=3), "")  # no handoff channel: no button
    assert not offers_handoff(Reply("unknown", "x"), "C0HELP")  # not recorded: nothing to hand off
    assert not offers_handoff(Reply("answer", "x", audit_id=3), "C0HELP")
    assert not offers_handoff(Reply("unknown", "x", reasons=["error.slack"], audit_id=3), "C0HELP")


def test_channel_rules_read_the_settings():
    from bot.config import load_settings
    from bot.handoff import channel_rules

    settings = load_settings(env={"HELPBOT_SLACK_ANSWER_CHANNELS": "C0HELP, C0ASK", "HELPBOT_HANDOFF_SLACK_CHANNEL": "C0TEAM",
                                  "HELPBOT_DISCORD_FORUM_CHANNELS": "[123, \"456\"]", "HELPBOT_DISCORD_QUIET_REACTION": "🤷"})
    slack, discord = channel_rules(settings, "slack"), channel_rules(settings, "discord")
    assert slack.answer == {"C0HELP", "C0ASK"} and slack.handoff == "C0TEAM" and slack.quiet_reaction == ""
    assert discord.forums == {"123", "456"} and discord.handoff == "" and discord.quiet_reaction == "🤷"


def test_a_handoff_is_recorded_once_redacted_and_followed_to_its_answer(fresh_bot):
    bot = fresh_bot
    reply = ask(bot, UNKNOWN_Q + " my email is ann@example.com")
    assert reply.audit_id is not None
    desk = HandoffDesk(bot)
    first = desk.request("slack", reply.audit_id, "U1", "https://x.slack.com/archives/C1/p1", reply.answer)
    assert first.new and first.id is not None
    assert "ann@example.com" not in first.question and "[EMAIL]" in first.question and "nonprofit" in first.question
    again = desk.request("slack", reply.audit_id, "U1", "https://x.slack.com/archives/C1/p1", reply.answer)
    assert not again.new and again.id == first.id  # a second click never posts twice
    text = desk.post_text(first, "<@U1>")
    assert "[EMAIL]" in text and "archives/C1/p1" in text and "ann@" not in text
    desk.posted(first.id, "C0HELP/1700000000.000200")
    assert desk.by_post("slack", "C0HELP/1700000000.000200").id == first.id
    assert desk.answered("slack", "C0OTHER/1.0", "U2", "not a handoff thread") is None
    answered = desk.answered("slack", "C0HELP/1700000000.000200", "USUPPORT", f"Use Board settings. token {SLACK_TOKEN}")
    assert answered.state == "answered" and SLACK_TOKEN not in answered.answer and "Board settings" in answered.answer
    assert desk.recent_question("slack:C1:1.000001") == first.question
    desk.saved(first.id, "kanban-colours", "UADMIN", "slack")
    assert desk.by_id(first.id).state == "saved" and desk.by_id(first.id).faq_id == "kanban-colours"


def test_secrets_in_the_question_or_the_reply_never_reach_the_post(fresh_bot):
    reply = ask(fresh_bot, f"{UNKNOWN_Q} I pasted my token {SLACK_TOKEN} here")
    desk = HandoffDesk(fresh_bot)
    handoff = desk.request("slack", reply.audit_id, "U1", "ref", f"{reply.answer} (quoting {SLACK_TOKEN})")
    text = desk.post_text(handoff)
    assert SLACK_TOKEN not in text and "[SECRET]" in text and "nonprofit" in text


def test_a_failed_post_frees_the_reply_for_another_try(fresh_bot, caplog):
    bot = fresh_bot
    reply = ask(bot, UNKNOWN_Q)
    desk = HandoffDesk(bot)
    first = desk.request("slack", reply.audit_id, "U1", "ref")
    desk.post_failed(first.id, "not_in_channel", "C0HELP", "slack")
    assert "invite the bot" in caplog.text and "C0HELP" in caplog.text
    second = desk.request("slack", reply.audit_id, "U1", "ref")
    assert second.new and second.id != first.id
    assert compute_stats(bot.audit.store, 1)["handoffs"]["failed"] == 1


def test_without_stored_text_no_text_is_kept(tmp_path, embedder, warm_index):
    from ops_helpers import make_bot

    bot = make_bot(tmp_path, embedder, warm_index, HELPBOT_AUDIT_STORE_TEXT="false")
    reply = ask(bot, UNKNOWN_Q)
    desk = HandoffDesk(bot)
    handoff = desk.request("slack", reply.audit_id, "U1", "ref", reply.answer)
    assert handoff.question == "" and handoff.bot_reply == ""
    assert "not stored" in desk.post_text(handoff)
    desk.posted(handoff.id, "C0HELP/1.0")
    assert desk.answered("slack", "C0HELP/1.0", "U2", "an answer").answer == ""


def test_form_helpers():
    assert parse_questions("- How do I A?\n\n2. how do i a?\n  Where is B?  \n") == ["How do I A?", "Where is B?"]
    assert suggest_id("How do I export to CSV?") == "how-do-i-export-to-csv"
    assert suggest_id("How do I export to CSV?", {"how-do-i-export-to-csv"}) == "how-do-i-export-to-csv-2"
    assert suggest_id("???") == "learned" and len(suggest_id("word " * 50)) <= 60
    filled = prefill("Q one?\nQ two?", f"The answer; token {SLACK_TOKEN}", set())
    assert filled["questions"] == "Q one?\nQ two?" and SLACK_TOKEN not in filled["answer"] and filled["id"] == "q-one"


def entry(entry_id="kanban-colours", answer="Open Board settings, then Colours.", questions=(UNKNOWN_Q,), url=None):
    return LearnedEntry(entry_id, list(questions), answer, url)


def test_save_appends_a_valid_file_with_who_and_when_and_reload_serves_it(fresh_bot):
    bot = fresh_bot
    faq = LearnedFaq(bot)
    assert ask(bot, UNKNOWN_Q).route == "unknown"
    saved, result = asyncio.run(faq.save_and_reload(entry(answer="Line one.\nLine two: a \"quoted\" # not a comment"),
                                                    "slack:UADMIN"))
    assert saved == "kanban-colours" and result.ok and "kanban-colours" in result.diff["faq"]["added"]
    text = (bot.knowledge_dir / LEARNED).read_text()
    assert text.startswith("# FAQ entries saved") and "# saved by slack:UADMIN at 20" in text
    [stored] = yaml.safe_load(text)
    assert stored["answer"] == "Line one.\nLine two: a \"quoted\" # not a comment"
    reply = ask(bot, UNKNOWN_Q, conversation="slack:C1:2.0")
    assert reply.route == "answer" and reply.source == "kanban-colours"
    faq.save(entry("second-entry", questions=["Can I pin a board to the sidebar?"]), "discord:42")
    entries = yaml.safe_load((bot.knowledge_dir / LEARNED).read_text())
    assert [e["id"] for e in entries] == ["kanban-colours", "second-entry"]
    assert not list((bot.knowledge_dir / "faq").glob(".learned*"))  # no temporary file left behind


@pytest.mark.parametrize("bad, field, words", [
    (entry(answer="   "), "answer", "empty"),
    (entry(answer="x" * 4001), "answer", "4001 characters"),
    (entry(questions=[]), "questions", "at least one"),
    (entry(questions=[f"Question {i}?" for i in range(11)]), "questions", "At most 10"),
    (entry(questions=["q" * 301]), "questions", "301 characters"),
    (entry("Bad Id!"), "id", "lower-case"),
    (entry("reset-password"), "id", "already used (faq/accounts.yaml"),
    (entry(answer=f"Use the token {SLACK_TOKEN}"), "answer", "secret"),
    (entry(questions=[f"Is {SLACK_TOKEN} valid?"]), "questions", "secret"),
    (entry(url="javascript:alert(1)"), "url", "https://"),
])
def test_bad_entries_are_refused_with_the_reason_and_nothing_is_written(fresh_bot, bad, field, words):
    faq = LearnedFaq(fresh_bot)
    with pytest.raises(SaveRefused) as refused:
        faq.save(bad, "slack:UADMIN")
    assert words in refused.value.errors[field]
    assert not (fresh_bot.knowledge_dir / LEARNED).exists()


def test_duplicate_of_an_entry_saved_before_the_reload_is_refused(fresh_bot):
    faq = LearnedFaq(fresh_bot)
    faq.save(entry(), "a")
    with pytest.raises(SaveRefused) as refused:
        faq.save(entry(), "b")
    assert "faq/learned.yaml" in refused.value.errors["id"]


def test_a_broken_learned_file_is_never_overwritten(fresh_bot):
    path = fresh_bot.knowledge_dir / LEARNED
    path.write_text("- id: x\n  questions: [unclosed\n")
    with pytest.raises(SaveRefused) as refused:
        LearnedFaq(fresh_bot).save(entry(), "a")
    assert "invalid YAML" in refused.value.errors["answer"]
    assert path.read_text() == "- id: x\n  questions: [unclosed\n"


def test_a_folder_the_bot_cannot_write_is_a_clear_error(fresh_bot):
    folder = fresh_bot.knowledge_dir / "faq"
    aside = folder.with_name("faq.aside")
    folder.rename(aside)
    folder.write_text("a file where the faq folder should be\n")  # unwritable even for root
    try:
        with pytest.raises(SaveRefused) as refused:
            LearnedFaq(fresh_bot).save(entry(), "a")
    finally:
        folder.unlink()
        aside.rename(folder)
    assert "make the knowledge folder writable" in refused.value.errors["answer"]
    assert not list(aside.parent.rglob(".learned.yaml.*"))  # no temporary file left behind


def test_two_admins_saving_at_once_both_land(fresh_bot):
    faqs = [LearnedFaq(fresh_bot), LearnedFaq(fresh_bot)]  # two writers: only the flock serialises them
    start = threading.Barrier(8)
    errors: list[BaseException] = []

    def save(i: int) -> None:
        start.wait()
        try:
            faqs[i % 2].save(entry(f"entry-{i}", questions=[f"Parallel question number {i}?"]), f"admin{i}")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    ids = sorted(e["id"] for e in yaml.safe_load((fresh_bot.knowledge_dir / LEARNED).read_text()))
    assert ids == sorted(f"entry-{i}" for i in range(8))


def test_stats_and_report_show_the_loop(fresh_bot):
    bot = fresh_bot
    desk = HandoffDesk(bot)
    for n, (question, answer, save) in enumerate([(UNKNOWN_Q, "Board settings", "kanban-colours"),
                                                  ("Can Tasklane print boards on A3 paper?", "Not yet", ""),
                                                  ("Is there a Tasklane app for smart fridges?", "", "")]):
        reply = ask(bot, question, conversation=f"slack:C1:{n}.0")
        handoff = desk.request("slack", reply.audit_id, "U1", f"ref{n}")
        desk.posted(handoff.id, f"C0HELP/{n}.5")
        if answer:
            desk.answered("slack", f"C0HELP/{n}.5", "USUPPORT", answer)
        if save:
            desk.saved(handoff.id, save, "UADMIN", "slack")
    stats = compute_stats(bot.audit.store, 7)
    loop = stats["handoffs"]
    assert (loop["total"], loop["answered"], loop["saved"], loop["failed"]) == (3, 2, 1, 0)
    assert [d["requested"] for d in loop["daily"]] == [3] and loop["daily"][0]["answered"] == 2
    assert [q["faq_id"] for q in loop["answered_questions"]] == ["", "kanban-colours"]  # not yet saved first
    text = format_stats(stats)
    assert "Handoffs (Ask a person): 3, answered by people 2, became FAQ entries 1" in text
    assert "Questions people had to answer:" in text and "A3 paper" in text and "not saved as FAQ yet" in text
    page = render_report(stats)
    assert "Questions people had to answer" in page and "became FAQ entries" in page and "A3 paper" in page
    assert "smart fridges" not in page.split("Questions people had to answer")[1]  # asked, never answered


def test_handoff_rows_on_postgresql(pg_url):
    """The same calls on PostgreSQL (replicas): one row per reply however often it is clicked."""
    from types import SimpleNamespace

    from bot.core.audit import AuditLog
    from bot.core.store_pg import PgStore
    from bot.guard.stage import redact_for_log

    store = PgStore(pg_url)
    try:
        audit = AuditLog(store, redact_for_log)
        audit_id = audit.record(Message("Is there a dark mode? ann@example.com", platform="discord", user_id="42"),
                                Reply("unknown", "I couldn't find an answer."))
        desk = HandoffDesk(SimpleNamespace(audit=audit, guard=None))
        first = desk.request("discord", audit_id, "42", "https://discord.com/channels/1/2/3", "I couldn't find an answer.")
        assert first.new and "[EMAIL]" in first.question
        assert not desk.request("discord", audit_id, "42", "x").new
        desk.posted(first.id, "999")
        assert desk.answered("discord", "999", "7", "Yes, under Appearance.").state == "answered"
        desk.saved(first.id, "dark-mode", "8", "discord")
        loop = compute_stats(store, 1)["handoffs"]
        assert (loop["total"], loop["answered"], loop["saved"]) == (1, 1, 1)
        desk.post_failed(desk.request("discord", audit.record(Message("q2", platform="discord"), Reply("unknown", "x")),
                                      "42", "y").id, "Forbidden", "123", "discord")
        assert compute_stats(store, 1)["handoffs"]["failed"] == 1
    finally:
        store.close()
