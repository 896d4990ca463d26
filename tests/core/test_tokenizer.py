"""The one tokenizer of keyword search: CJK text without spaces becomes character bigrams."""

from __future__ import annotations

import numpy as np
import pytest

from bot.knowledge import Chunk
from bot.routing.keywords import Keywords, tokens
from bot.search.index import SearchIndex
from bot.search.passages import terms, windows
from bot.search.tokenizer import fts_text, word_starts, words


@pytest.mark.parametrize("text, expected", [
    ("How do I reset my password?", ["how", "do", "i", "reset", "my", "password"]),
    ("メンバーを招待するには？", ["メンバー", "招待"]),
    ("使わなくなったボードを消さずに片付けたい", ["ボード", "片付"]),  # lone kanji: verb stems
    ("請求書をダウンロード", ["請求", "求書", "ダウンロード"]),
    ("Slackの通知をオフにしたい", ["slack", "通知", "オフ"]),
    ("ＡＰＩキー", ["api", "キー"]),  # full width folded
    ("ﾊﾟｽﾜｰﾄﾞ", ["パスワード"]),  # half-width katakana folded
    ("Café déjà", ["café", "déjà"]),
    ("如何邀请成员", ["如何", "何邀", "邀请", "请成", "成员"]),
])
def test_words(text, expected):
    assert words(text) == expected


def test_the_three_users_share_it():
    assert tokens("招待のしかた") == ["招待"]
    assert terms("請求書をダウンロード") == ["請求", "求書", "ダウンロード"]
    assert fts_text("plain English") == "plain English"
    assert fts_text("招待する").endswith(" 招待")


def _chunk(i: int, question: str, answer: str) -> Chunk:
    return Chunk(id=f"e{i}", kind="faq", title=question, url=None, text=answer, questions=(question,))


def test_keywords_and_fts_find_japanese_without_spaces():
    chunks = [_chunk(0, "メンバーを招待するには？", "設定のメンバー画面から招待します。"),
              _chunk(1, "請求書をダウンロードするには？", "請求の画面から PDF をダウンロードします。"),
              _chunk(2, "How do I archive a project?", "Open the project menu and choose Archive.")]
    kw = Keywords(chunks)
    scores = kw.scores("招待のしかたを教えて")
    assert int(np.argmax(scores)) == 0 and scores[1] == 0 and scores[2] == 0
    assert int(np.argmax(kw.scores("請求書はどこ？"))) == 1
    index = SearchIndex.from_vectors(chunks, np.ones((3, 4), np.float32))
    assert index.keyword_ranks("請求書はどこでダウンロードできますか", 5)[0] == 1
    assert index.keyword_ranks("archive", 5) == [2]


def test_windows_cut_text_without_spaces():
    text = "招待" * 300  # 600 characters, no space: 300 two-character words
    parts = windows(text, window=100, stride=70)
    assert len(parts) == 4 and all(len(p) <= 200 for p in parts) and "".join(parts).startswith(text[:200])
    assert windows("short English text") == ["short English text"]
    starts = word_starts("Slackの通知をオフ")
    assert starts[0] == 0 and len(starts) > 1
