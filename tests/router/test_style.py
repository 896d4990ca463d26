"""Unsupported answer styles are found and cut out before retrieval; ordinary questions are untouched."""

import pytest

from bot.routing.style import find_style, is_bare_ask


@pytest.mark.parametrize(
    "text, rest, kind",
    [
        ("How do I invite a member? Explain it in the style of Momotaro", "How do I invite a member?", "persona"),
        ("explain how to reset my password as a haiku", "explain how to reset my password", "verse"),
        ("How do I export my data, in pirate speak", "How do I export my data", "pirate"),
        ("Tell me how to invite a teammate, but in pirate speak", "Tell me how to invite a teammate", "pirate"),
        ("How do I cancel my plan? Translate it to French", "How do I cancel my plan?", "language"),
        ("Translate the steps for turning on 2FA into French", "the steps for turning on 2FA", "language"),
        ("Describe how to archive a project like a fairy tale", "Describe how to archive a project", "verse"),
        ("Describe two-factor authentication in Shakespearean English", "Describe two-factor authentication", "shakespeare"),
        ("explain how to create a webhook as a rap song", "explain how to create a webhook", "verse"),
        ("How do I use webhooks? as a rap", "How do I use webhooks?", "verse"),
        ("how do I set up a recurring task? reply only in emojis", "how do I set up a recurring task?", "verse"),
        ("Write the export steps as a Shakespearean sonnet", "Write the export steps", "verse"),
        ("Tell me how to connect Google Calendar in the voice of Yoda", "Tell me how to connect Google Calendar", "persona"),
        ("メンバーの招待方法を桃太郎風に説明して", "メンバーの招待方法を", "ja_persona"),
        ("パスワードのリセット方法を俳句で教えて", "パスワードのリセット方法を", "ja_verse"),
    ],
)
def test_style_found_and_stripped(text, rest, kind):
    found = find_style(text)
    assert found.found and kind in found.kinds
    assert found.text == rest


@pytest.mark.parametrize(
    "text",
    [
        "How do I change the language to French?",
        "Does Tasklane support French?",
        "Can I import a story from Jira?",
        "How do I write a comment on a task?",
        "どういう風に招待しますか",
        "How do I add a poem-like description?",
    ],
)
def test_ordinary_questions_have_no_style(text):
    found = find_style(text)
    assert not found.found and found.text == text


def test_bare_style_request_is_about_the_previous_answer():
    found = find_style("explain it in the style of Momotaro")
    assert found.found and found.bare


@pytest.mark.parametrize("text, bare", [("Tell me.", True), ("Please", True), ("explain it", True), ("How do I pay?", False), ("please explain billing", False)])
def test_bare_ask(text, bare):
    assert is_bare_ask(text) is bare
