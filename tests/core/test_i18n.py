"""One catalogue of user-facing text: every English string has its Japanese, with the same placeholders,
and each message is answered in its own language."""

from __future__ import annotations

import string

import pytest

from bot import i18n, strings, strings_ja


def _texts(module) -> dict[str, str]:
    out = {}
    for name, value in vars(module).items():
        if name.isupper() and isinstance(value, str):
            out[name] = value
        elif name.isupper() and isinstance(value, dict):
            out.update({f"{name}.{k}": v for k, v in value.items()})
    return out


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f is not None}


def test_every_english_string_has_a_japanese_one():
    english, japanese = _texts(strings), _texts(strings_ja)
    missing = sorted(set(english) - set(japanese))
    assert not missing, f"add these to bot/strings_ja.py (same names as bot/strings.py): {missing}"
    extra = sorted(set(japanese) - set(english))
    assert not extra, f"bot/strings_ja.py has names bot/strings.py does not: {extra}"


def test_placeholders_match():
    english, japanese = _texts(strings), _texts(strings_ja)
    wrong = {n: (_fields(english[n]), _fields(japanese[n])) for n in english if n in japanese
             and _fields(english[n]) != _fields(japanese[n])}
    assert not wrong, f"the Japanese strings must use the English placeholders: {wrong}"


def test_localize_finds_the_same_name():
    assert i18n.localize(strings.REFUSE, "ja") == strings_ja.REFUSE
    assert i18n.localize(strings.RELOAD_REPLICA["failed"], "ja") == strings_ja.RELOAD_REPLICA["failed"]
    assert i18n.localize(strings.REFUSE, "en") == strings.REFUSE
    assert i18n.localize(strings.REFUSE, "ko") == strings.REFUSE  # no Korean catalogue: English
    assert i18n.localize("not a catalogue string", "ja") == "not a catalogue string"
    assert i18n.strings_for("ja") is strings_ja and i18n.strings_for("de") is strings


@pytest.mark.parametrize("text, lang", [
    ("How do I invite someone?", "en"),
    ("メンバーを招待するには？", "ja"),
    ("如何邀请成员", "en"),  # Chinese has no catalogue yet
    ("", "en"),
])
def test_language_of(text, lang):
    assert i18n.language_of(text) == lang


def test_the_ask_a_person_button_speaks_the_askers_language():
    from adapters.discord.handoff import AskPersonButton
    from adapters.slack.handoff import ask_block

    assert ask_block(1, "C1", "1.2", "ja")["elements"][0]["text"]["text"] == strings_ja.ASK_PERSON_BUTTON
    assert ask_block(1, "C1", "1.2")["elements"][0]["text"]["text"] == strings.ASK_PERSON_BUTTON
    assert AskPersonButton(1, lang="ja").item.label == strings_ja.ASK_PERSON_BUTTON
    assert AskPersonButton(1).item.label == strings.ASK_PERSON_BUTTON


def test_slack_and_discord_render_a_japanese_reply_in_japanese():
    from adapters.discord.render import render
    from adapters.slack.format import reply_blocks
    from bot.messages import Reply, Source

    source = Source("invite", "メンバーを招待する", "https://example.com/invite", 0.9)
    answer = Reply("answer", "設定 → メンバー から招待します。", sources=[source], audit_id=7, language="ja")
    _, blocks = reply_blocks(answer)
    labels = [b["text"]["text"] for b in blocks[-1]["elements"]]
    assert labels == [strings_ja.FEEDBACK_HELPFUL, strings_ja.FEEDBACK_NOT_HELPFUL]
    assert any(strings_ja.SOURCES_LABEL in e["text"] for b in blocks if b["type"] == "context" for e in b["elements"])
    layout = render(answer, "Tasklane")
    assert layout.embeds[0].fields[0].name == strings_ja.DISCORD_SOURCES
    assert [item.item.label for item in layout.view.children] == [strings_ja.FEEDBACK_HELPFUL, strings_ja.FEEDBACK_NOT_HELPFUL]

    lead = strings_ja.CLOSEST_SECTIONS
    closest = Reply("unknown", f"{lead}\n1. [メンバーを招待する](https://example.com/invite)", sources=[source],
                    reasons=["closest_sections"], audit_id=8, language="ja")
    embed = render(closest, "Tasklane").embeds[0]
    assert embed.title == lead and lead not in embed.description  # the lead line once, as the title
    english = render(Reply("answer", "Go to Settings.", sources=[source], audit_id=9), "Tasklane")
    assert english.embeds[0].fields[0].name == strings.DISCORD_SOURCES
