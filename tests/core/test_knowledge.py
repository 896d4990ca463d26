"""The knowledge folder contract: valid content loads; every kind of bad input names file and line."""

from __future__ import annotations

import shutil

import pytest

from bot.errors import KnowledgeError
from bot.knowledge import load_knowledge
from bot.knowledge.markdown import slugify
from tests.conftest import SAMPLE_KNOWLEDGE
from tests.knowledge import helpers


def make_kb(tmp_path, faq: str | None = None, docs: dict[str, str] | None = None, scope: str | None = None):
    return helpers.make_kb(tmp_path / "kb", faq, docs, scope or helpers.SCOPE)


GOOD_FAQ = """\
- id: invite
  questions:
    - How do I invite someone?
    - How can I add a teammate?
  answer: Go to Settings, Members, Invite.
  url: https://demo.example/invite
"""


def test_sample_knowledge_is_large_and_valid():
    kb = load_knowledge(SAMPLE_KNOWLEDGE)
    faqs = [c for c in kb.chunks if c.kind == "faq"]
    docs = {c.source_file for c in kb.chunks if c.kind == "doc"}
    assert len(faqs) >= 40
    assert all(2 <= len(c.questions) <= 5 for c in faqs)
    assert len(docs) >= 8
    assert kb.scope["service"] and kb.scope["description"]


def test_doc_sections_become_chunks_with_slug_ids(tmp_path):
    root = make_kb(
        tmp_path,
        GOOD_FAQ,
        {"automation.md": "---\ntitle: Automation\nurl: https://demo.example/auto\n---\n# Automation\nIntro text.\n\n## Rate limits & quotas!\nAt most 50 rules.\n\n```\n## not a heading\n```\n"},
    )
    kb = load_knowledge(root)
    ids = [c.id for c in kb.chunks if c.kind == "doc"]
    assert ids == ["docs/automation.md#automation", "docs/automation.md#rate-limits-quotas"]
    limits = kb.by_id()["docs/automation.md#rate-limits-quotas"]
    assert "## not a heading" in limits.text and limits.url == "https://demo.example/auto"
    assert slugify("Rate limits & quotas") == "rate-limits-quotas"


@pytest.mark.parametrize(
    "faq, expected",
    [
        (GOOD_FAQ + "  colour: red\n", "main.yaml:1: unknown key 'colour'"),
        (GOOD_FAQ + GOOD_FAQ, "main.yaml:7: duplicate id 'invite' (first defined in faq/main.yaml:1)"),
        ("- id: x\n  questions: [a]\n  answer: '  '\n", "main.yaml:1: x: `answer` is empty"),
        ("- id: x\n  questions: [a\n  answer: b\n", "faq/main.yaml:3: invalid YAML"),
        ("- id: x\n  questions: []\n  answer: b\n", "`questions` must be a list of one or more phrasings"),
        ("id: x\n", "must be a YAML list of entries"),
    ],
)
def test_invalid_faq_names_file_and_line(tmp_path, faq, expected):
    with pytest.raises(KnowledgeError) as err:
        load_knowledge(make_kb(tmp_path, faq))
    assert any(expected in e for e in err.value.errors), err.value.errors


def test_all_errors_reported_and_nothing_half_loaded(tmp_path):
    root = make_kb(tmp_path, GOOD_FAQ, {"a.md": "# A\ntext\n"}, scope="service: Demo\nextra: 1\n")
    (root / "faq" / "bad.yaml").write_bytes(b"- id: y\n  questions: [caf\xe9]\n  answer: b\n")
    with pytest.raises(KnowledgeError) as err:
        load_knowledge(root)
    text = "\n".join(err.value.errors)
    assert "scope.yaml: unknown key 'extra'" in text
    assert "scope.yaml: `description` is required" in text
    assert "faq/bad.yaml:2: invalid UTF-8" in text


def test_binary_and_missing(tmp_path):
    root = make_kb(tmp_path, GOOD_FAQ)
    (root / "docs").mkdir()
    (root / "docs" / "img.md").write_bytes(b"\x89PNG\x00\x00binary")
    with pytest.raises(KnowledgeError) as err:
        load_knowledge(root)
    assert any("docs/img.md: looks binary" in e for e in err.value.errors)
    with pytest.raises(KnowledgeError, match="knowledge folder not found"):
        load_knowledge(tmp_path / "nope")
    shutil.rmtree(root / "docs")
    (root / "scope.yaml").unlink()
    with pytest.raises(KnowledgeError, match="scope.yaml: missing"):
        load_knowledge(root)


def test_empty_knowledge_folder(tmp_path):
    with pytest.raises(KnowledgeError, match="no FAQ entries"):
        load_knowledge(make_kb(tmp_path))
