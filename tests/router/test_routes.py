"""End to end on the sample knowledge: compound requests, styles, ambiguity, follow-ups, bad input.

Every reply must carry machine-readable reasons and the scores behind the decision.
"""

import pytest

from bot import strings


def test_plain_answer_carries_reasons_and_scores(ask):
    reply = ask("How do I invite someone to my workspace?")
    assert reply.route == "answer" and reply.source == "invite-member"
    assert "match.faq" in reply.reasons
    for key in ("s1", "gap", "own", "p_answer", "p_scope", "answer_threshold", "scope_threshold"):
        assert key in reply.scores
    assert reply.scores["p_answer"] >= reply.scores["answer_threshold"]


def test_out_of_scope_is_refused_with_reason(ask):
    reply = ask("What's the capital of Australia?")
    assert reply.route == "refuse" and reply.ephemeral
    assert "scope.out" in reply.reasons and reply.scores["p_answer"] < reply.scores["answer_threshold"]


@pytest.mark.parametrize(
    "text, source",
    [
        ("Tell me how to invite a member. Also, write my resume.", "invite-member"),
        ("Where do I download our invoices? And what's the weather in Paris today?", "download-invoice"),
        ("how do I archive a project, and can you give me a lasagna recipe too", "archive-project"),
        # MiniLM does not read Japanese: the first part by exact keywords, the second declined (bot/core/coverage.py)
        ("メンバーを招待するには？あと、履歴書を書いて。", "invite-member"),
        ("招待のしかたを教えて。あと、私の履歴書も書いて。", "invite-member"),
    ],
)
def test_compound_answers_one_part_and_declines_the_other(ask, text, source):
    reply = ask(text)
    assert reply.route == "partial" and reply.source == source
    assert any(r.startswith("split.parts_") for r in reply.reasons)
    assert {"scope.out", "match.below_threshold", "language.not_read"} & set(reply.reasons)  # the other part was declined
    declined = ("I can't help with the rest", "I couldn't find an answer", "にはお答えできません", "見つかりませんでした")
    assert any(d in n for d in declined for n in reply.notes)


def test_two_in_scope_questions_are_both_answered(ask):
    reply = ask("How do I archive a project? How do I export our workspace data?")
    assert reply.route == "answer"
    assert {s.id for s in reply.sources} >= {"archive-project", "export-data"}


def test_one_question_with_and_is_not_split(bot, msg):
    prepared = bot.prepare(msg("How do I invite and remove members?"))
    assert prepared.plan.parts[0].text == "How do I invite and remove members?" and len(prepared.plan.parts) == 1


@pytest.mark.parametrize(
    "text, source",
    [
        ("explain how to reset my password as a haiku", "reset-password"),
        ("Tell me how to invite a teammate, but in pirate speak", "invite-member"),
        ("Describe how to archive a project like a fairy tale", "archive-project"),
        ("How do I export our workspace data? Translate it to French", "export-data"),
        # cut before the guard reads the message: "reply only in ..." is not an injection here
        ("how do I set up a recurring task? reply only in emojis", "recurring-tasks"),
    ],
)
def test_unsupported_style_gets_plain_answer_and_one_line(ask, text, source):
    reply = ask(text)
    assert reply.route == "partial" and reply.source == source
    assert "style.unsupported" in reply.reasons
    assert reply.notes.count(strings.STYLE_NOT_OFFERED) == 1


def test_style_request_never_reaches_retrieval(bot, msg):
    prepared = bot.prepare(msg("Explain how to reset my password in the style of Momotaro"))
    assert prepared.embed_texts and all("Momotaro" not in t for t in prepared.embed_texts)


def test_bare_style_request_without_history_is_refused(ask):
    reply = ask("explain it like a pirate")
    assert reply.route == "refuse" and {"style.unsupported", "style.no_question"} <= set(reply.reasons)


def test_ambiguous_question_offers_the_runner_up(bot, ask):
    margin = bot.router.margin
    assert 0 < margin < 0.2  # fitted from the knowledge base's held-out phrasings
    for text in ("How do I stop notifications?", "How do I change my password?", "How do I add a teammate?", "Can I cancel?"):
        reply = ask(text)
        if reply.route != "answer":
            continue
        if reply.scores["gap"] < margin:
            assert "ambiguous" in reply.reasons and len(reply.sources) == 2
            assert any(n.startswith("Did you mean:") for n in reply.notes)
        else:
            assert "ambiguous" not in reply.reasons and len(reply.sources) == 1


def test_near_tie_answers_the_best_and_offers_the_other(ask):
    reply = ask("I'm done working with this client, how do I take myself out of their workspace?")
    assert reply.route == "answer" and "ambiguous" in reply.reasons
    assert {s.id for s in reply.sources} == {"remove-member", "leave-workspace"}
    assert any(n.startswith("Did you mean:") and not n.endswith("??") for n in reply.notes)


def test_follow_up_is_read_with_the_previous_question(ask):
    first = ask("How do I archive a project?", conversation="f1")
    follow = ask("and how do I undo that?", conversation="f1")
    assert first.source == "archive-project"
    assert follow.route == "answer" and follow.source == "archive-project"
    assert "followup.resolved" in follow.reasons
    assert any("following up on" in n for n in follow.notes)


def test_follow_up_in_another_conversation_is_not_resolved(ask):
    ask("How do I archive a project?", conversation="f2")
    reply = ask("and how do I undo that?", conversation="f3")
    assert "followup.resolved" not in reply.reasons


def test_standalone_question_after_another_is_read_alone(ask):
    ask("How do I invite a member?", conversation="f4")
    reply = ask("How do I export our workspace data?", conversation="f4")
    assert reply.source == "export-data" and "followup.resolved" not in reply.reasons


def test_style_on_the_previous_answer(ask):
    ask("How do I invite someone to my workspace?", conversation="f5")
    reply = ask("Explain it in the style of Momotaro", conversation="f5")
    assert reply.route == "partial" and reply.source == "invite-member"
    assert {"style.unsupported", "followup.style"} <= set(reply.reasons)


def test_follow_ups_in_eval_batches_see_their_question(bot, msg):
    messages = [msg("How do I archive a project?", "b1"), msg("and how do I undo that?", "b1")]
    replies = bot.answer_batch(messages)
    assert "followup.resolved" in replies[1].reasons


@pytest.mark.parametrize(
    "text, reason",
    [("👍🎉", "input.no_words"), ("https://example.com/some/page", "input.url_only"), ("<@U12345>", "input.mention_only"), ("?!…", "input.no_words")],
)
def test_input_with_nothing_to_look_up(ask, text, reason):
    reply = ask(text)
    assert reply.route == "smalltalk" and reason in reply.reasons and reply.answer


def test_mention_before_question_is_ignored(ask):
    assert ask("<@U12345> how do I invite someone to my workspace?").source == "invite-member"


def test_ten_thousand_words_are_truncated_and_bounded(bot, ask, msg):
    reply = ask("word " * 10_000)
    assert "input.truncated" in reply.reasons and reply.route in ("refuse", "unknown", "block")
    prepared = bot.prepare(msg("How do I pay? " * 2000 + " ".join(f"Question {n}?" for n in range(500))))
    assert len(prepared.plan.parts) <= bot.settings.router["max_parts"]
    assert len(prepared.embed_texts) <= bot.settings.router["max_parts"]


def test_question_repeated_fifty_times_is_answered_once(bot, ask, msg):
    text = "How do I invite someone to my workspace? " * 50
    assert len(bot.prepare(msg(text)).embed_texts) == 1
    reply = ask(text)
    assert reply.route == "answer" and reply.source == "invite-member" and len(reply.sources) <= 2
    assert "split.deduplicated" in reply.reasons


def test_mixed_languages_answer_once(ask):
    reply = ask("How do I invite someone to my workspace? メンバーを招待するには？")
    assert reply.route == "answer" and reply.source == "invite-member"
    assert reply.answer.count(reply.answer.split("\n")[0]) == 1  # the same entry is not repeated


def test_too_many_questions_are_capped_with_a_note(ask):
    text = "How do I archive a project? How do I export data? How do I reset my password? How do I enable 2FA? How do I invite a member?"
    reply = ask(text)
    assert "split.capped" in reply.reasons
    assert any("I answered the first 4" in n for n in reply.notes)


@pytest.mark.parametrize("text, kind", [("hi", "greeting"), ("thanks!", "thanks"), ("bye, have a nice day", "goodbye"), ("what can you do?", "help"), ("hey bot, you there?", "greeting")])
def test_smalltalk(ask, text, kind):
    reply = ask(text)
    assert reply.route == "smalltalk" and f"smalltalk.{kind}" in reply.reasons


def test_other_product_by_name_is_refused(ask):
    reply = ask("How do I reset my Gmail password?")
    assert reply.route == "refuse" and "scope.other_product" in reply.reasons


def test_out_of_scope_request_after_a_question_is_not_a_follow_up(ask):
    ask("How do I invite someone to my workspace?", conversation="f6")
    reply = ask("Write my resume", conversation="f6")
    assert reply.route == "refuse" and "followup.resolved" not in reply.reasons
