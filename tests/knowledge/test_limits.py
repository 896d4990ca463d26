"""Bad input at scale: a page over the size limit, a page with too many headings, a folder with too
many sections are refused with a message naming the file (or folder) and the limit, before any model
loads; what is under the limits loads. `helpbot index --progress` reports embedding progress."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.errors import KnowledgeError
from bot.knowledge import loader
from bot.knowledge.loader import load_knowledge
from tests.knowledge.helpers import make_kb


def page(sections: int, body: str = "Some text.") -> str:
    return "# Big page\n\n" + "".join(f"## Heading {n}\n\n{body} {n}\n\n" for n in range(sections))


def errors_of(root) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(root)
    return caught.value.errors


def test_a_3_mb_page_is_refused_naming_the_file_and_the_limit(tmp_path):
    root = make_kb(tmp_path / "kb", docs={"guide/huge.md": "# Huge\n\n" + ("word " * 600_000)})
    [error] = errors_of(root)
    assert error.startswith("docs/guide/huge.md: file is 3,000,008 bytes")
    assert "limit of 2,000,000 bytes" in error and "split it" in error


def test_a_file_at_the_size_limit_loads(tmp_path):
    text = "# Edge\n\n" + "x" * (loader.MAX_FILE_BYTES - len("# Edge\n\n"))
    root = make_kb(tmp_path / "kb", docs={"edge.md": text})
    assert len(text.encode()) == loader.MAX_FILE_BYTES
    assert any(c.id == "docs/edge.md#edge" for c in load_knowledge(root).chunks)


def test_a_page_with_5000_headings_loads_and_one_over_the_limit_is_refused(tmp_path):
    root = make_kb(tmp_path / "ok", docs={"api.md": page(5000)})
    kb = load_knowledge(root)
    assert sum(c.kind == "doc" for c in kb.chunks) == 5000
    over = make_kb(tmp_path / "over", docs={"api.md": page(loader.MAX_SECTIONS_PER_PAGE + 1, "x")})
    [error] = errors_of(over)
    assert error == (f"docs/api.md: {loader.MAX_SECTIONS_PER_PAGE + 1:,} heading sections, over the limit of "
                     f"{loader.MAX_SECTIONS_PER_PAGE:,} per page; split the page into several files")


def test_a_folder_over_the_chunk_limit_is_refused_naming_its_largest_files(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "MAX_CHUNKS", 25)
    root = make_kb(tmp_path / "kb", docs={"a.md": page(12), "b.md": page(10), "c.md": page(3)})
    [error] = errors_of(root)  # 1 FAQ entry + 25 sections = 26
    assert "26 FAQ entries and doc sections, over the limit of 25 per knowledge folder" in error
    assert error.endswith("(largest files: docs/a.md 12, docs/b.md 10, docs/c.md 3)")
    monkeypatch.setattr(loader, "MAX_CHUNKS", 26)
    assert len(load_knowledge(root).chunks) == 26


def test_index_refuses_an_oversized_page_before_the_model_loads(tmp_path, monkeypatch):
    root = make_kb(tmp_path / "kb", docs={"huge.md": "# Huge\n\n" + ("word " * 600_000)})

    def no_model(*args, **kwargs):
        raise AssertionError("the embedding model was loaded for invalid knowledge")

    monkeypatch.setattr("bot.core.pipeline.get_embedder", no_model)
    result = CliRunner().invoke(main, ["index", "--knowledge", str(root)])
    assert result.exit_code == 1
    assert "error: docs/huge.md: file is 3,000,008 bytes, over the limit of 2,000,000 bytes" in result.output
    assert "Traceback" not in result.output


def test_index_progress_lines_when_asked_and_none_by_default_off_a_terminal(tmp_path, monkeypatch):
    monkeypatch.setenv("HELPBOT_HOME", str(tmp_path / "home"))
    root = make_kb(tmp_path / "kb", docs={"guide.md": page(30, "How to use the guide, part")})
    asked = CliRunner().invoke(main, ["index", "--progress", "--knowledge", str(root)])
    assert asked.exit_code == 0, asked.output
    lines = [ln for ln in asked.stderr.splitlines() if ln.startswith("embedding: ")]
    assert lines and lines[-1] == "embedding: 32/32 texts"  # 30 sections and the FAQ entry's two phrasings
    (root / "docs" / "more.md").write_text(page(3, "Another page"), encoding="utf-8")
    quiet = CliRunner().invoke(main, ["index", "--knowledge", str(root)])  # not a terminal, not asked
    assert quiet.exit_code == 0 and "embedding:" not in quiet.stderr
    assert "3 added" in quiet.output
