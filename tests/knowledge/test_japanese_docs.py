"""Japanese headings: kept in the doc ids (slugs), found with an ideographic space after '#', and
Japanese sections searchable by keywords without spaces."""

from __future__ import annotations

import pytest

from bot.knowledge import load_knowledge
from bot.knowledge.markdown import slugify, split_sections


@pytest.mark.parametrize("heading, slug", [
    ("料金プラン", "料金プラン"),
    ("２段階認証を有効にする", "2段階認証を有効にする"),  # full width folded
    ("ＡＰＩの　使い方", "apiの-使い方"),  # ideographic space is a space
    ("Q&A（よくある質問）", "qaよくある質問"),  # punctuation dropped, as in English
])
def test_japanese_slugs(heading, slug):
    assert slugify(heading) == slug


def test_heading_after_an_ideographic_space():
    title, sections = split_sections("# 請求\n\n請求書の説明。\n\n#　支払い方法\n\nカードで払えます。\n")
    assert title == "請求" and [s.slug for s in sections] == ["請求", "支払い方法"]


def test_japanese_doc_ids(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "scope.yaml").write_text("service: タスクボード\ndescription: タスク管理のヘルプ\n", encoding="utf-8")
    (tmp_path / "docs" / "請求.md").write_text(
        "# 請求\n\n請求の概要です。\n\n## 請求書をダウンロードする\n\n請求の画面から PDF をダウンロードします。\n",
        encoding="utf-8")
    kb = load_knowledge(tmp_path)
    ids = [c.id for c in kb.chunks]
    assert "docs/請求.md#請求書をダウンロードする" in ids and "docs/請求.md#請求" in ids
