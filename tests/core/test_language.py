import pytest

from bot import language


@pytest.mark.parametrize("text, code", [
    ("How do I invite someone?", "en"),
    ("", "en"),
    ("12345 !!!", "en"),
    ("Wie lade ich jemanden ein?", "en"),
    ("請求書はどこでダウンロードできますか", "ja"),
    ("招待のしかたを教えて。あと、私の履歴書も書いて。", "ja"),
    ("カード", "ja"),
    ("如何邀请成员", "zh"),
    ("멤버를 초대하려면 어떻게 하나요", "ko"),
    ("Как пригласить участника?", "ru"),
    ("How do I export a board to CSV? エクスポート", "en"),
    ("Slackで通知を受け取るには", "ja"),
])
def test_detect(text, code):
    assert language.detect(text) == code


def test_name():
    assert language.name("ja") == "Japanese"
    assert language.name("xx") == "xx"


def test_names_in_japanese():
    from bot.core import coverage

    assert language.name("en", "ja") == "英語" and language.name("ja", "ja") == "日本語"
    assert coverage.describe(frozenset({"en"}), "ja") == "英語"
    assert coverage.describe(frozenset({"en", "ja"}), "ja") == "日本語、英語"
    assert coverage.describe(frozenset({"en", "ja"})) == "English and Japanese"
