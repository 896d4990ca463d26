"""A reload parses only the FAQ files that changed; problems are reported on every load."""

import pytest

from bot import safeyaml
from bot.errors import KnowledgeError
from bot.knowledge.loader import ParseCache, load_knowledge
from tests.knowledge.helpers import FAQ, make_kb

OTHER = """\
- id: export
  questions:
    - How do I export my data?
  answer: Settings, Export.
"""


@pytest.fixture
def parses(monkeypatch):
    calls = []
    real = safeyaml.load

    def counting(text, *args, **kwargs):
        calls.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(safeyaml, "load", counting)
    return calls


def test_only_changed_files_are_parsed_again(tmp_path, parses):
    root = make_kb(tmp_path / "kb")
    (root / "faq" / "other.yaml").write_text(OTHER, encoding="utf-8")
    cache = ParseCache()
    first = load_knowledge(root, cache)
    faq_parses = [t for t in parses if "- id:" in t]
    assert len(faq_parses) == 2
    parses.clear()
    again = load_knowledge(root, cache)
    assert [t for t in parses if "- id:" in t] == [] and again.chunks == first.chunks
    (root / "faq" / "other.yaml").write_text(OTHER.replace("Settings, Export.", "Settings, Export, Download."), encoding="utf-8")
    changed = load_knowledge(root, cache)
    assert [t for t in parses if "- id:" in t] == [(root / "faq" / "other.yaml").read_text(encoding="utf-8")]
    assert changed.chunks == load_knowledge(root).chunks  # the same result as a load without the cache
    assert len(cache.parsed) == 2  # the old text of other.yaml is dropped


def test_a_broken_file_is_reported_on_every_load(tmp_path):
    root = make_kb(tmp_path / "kb", faq=FAQ + "- id: [unclosed\n")
    cache = ParseCache()
    for _ in range(2):
        with pytest.raises(KnowledgeError, match="main.yaml"):
            load_knowledge(root, cache)
