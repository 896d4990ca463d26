"""Item 2 of issue 18: knowledge YAML with aliases bounded, duplicate keys refused, and lines
counted as editors count them (by "\\n", though PyYAML also breaks at U+2028/U+2029/NEL)."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from bot import safeyaml
from bot.errors import ConfigError, KnowledgeError
from bot.guard import load_policy
from bot.knowledge import load_knowledge
from tests.knowledge.helpers import make_kb


def load_errors(root) -> list[str]:
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(root)
    return info.value.errors


def alias_bomb(repeat: int = 100_000, size: int = 500_000) -> str:
    """One entry whose `questions` repeat an anchored string (the issue's 0.9 MB file: 100,000 x 500 KB)."""
    return "- id: bomb\n  answer: boom\n  questions: [&s " + "A" * size + ", " + "*s, " * repeat + "x]\n"


def test_alias_bomb_fails_fast_with_little_memory(tmp_path):
    root = make_kb(tmp_path / "kb", faq=alias_bomb())
    assert (root / "faq" / "main.yaml").stat().st_size < 950_000
    tracemalloc.start()
    started = time.perf_counter()
    try:
        errors = load_errors(root)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - started < 30  # was 150 s and 10 GB; ~3 s here under tracemalloc
    assert peak < 50_000_000
    assert errors == ["faq/main.yaml:3: invalid YAML (more than 100 aliases (*name); write the values out instead)"]


def test_a_few_large_aliases_are_bounded_by_expanded_size(tmp_path):
    root = make_kb(tmp_path / "kb", faq=alias_bomb(repeat=60, size=58_000))  # the 58 KB-ish variant, 3.5 MB expanded
    [error] = load_errors(root)
    assert error.startswith("faq/main.yaml: invalid YAML (aliases expand this file to ")
    assert "limit 2,000,000" in error


def test_nested_billion_laughs_is_refused_without_expanding():
    levels = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for n, name in enumerate("bcdefgh"):
        prev = levels[-1][0]
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    with pytest.raises(safeyaml.YamlProblem, match="aliases expand this file to"):
        safeyaml.load("\n".join(levels) + "\n")


def test_recursive_alias_and_deep_nesting_are_problems_not_crashes():
    with pytest.raises(safeyaml.YamlProblem, match="contains it"):
        safeyaml.load("a: &a [1, *a]\n")
    with pytest.raises(safeyaml.YamlProblem, match="nested too deeply"):
        safeyaml.load("[" * 20_000)


def test_small_alias_use_still_loads(tmp_path):
    faq = ("- id: a\n  questions: ['How do I pay?']\n  answer: By card.\n  tags: &billing [billing, money]\n"
           "- id: b\n  questions: ['Can I get a refund?']\n  answer: Yes, within 30 days.\n  tags: *billing\n")
    kb = load_knowledge(make_kb(tmp_path / "kb", faq=faq))
    assert [c.tags for c in kb.chunks] == [("billing", "money"), ("billing", "money")]


def test_duplicate_keys_name_key_file_and_line(tmp_path):
    faq = ("- id: invite\n  questions: ['How do I invite someone?']\n  answer: First answer.\n"
           "  answer: Second answer.\n")
    assert load_errors(make_kb(tmp_path / "a", faq=faq)) == [
        "faq/main.yaml:4: invalid YAML (duplicate key 'answer' (first on line 3); keep one of them)"]
    scope = "service: Demo\ndescription: One.\nservice: Other\n"
    assert load_errors(make_kb(tmp_path / "b", scope=scope))[0] == (
        "scope.yaml:3: invalid YAML (duplicate key 'service' (first on line 1); keep one of them)")
    doc = "---\ntitle: A\nurl: https://a.example\ntitle: B\n---\n# A\n\nText.\n"
    assert load_errors(make_kb(tmp_path / "c", docs={"a.md": doc}))[0] == (
        "docs/a.md:4: invalid YAML (duplicate key 'title' (first on line 2); keep one of them)")


def test_line_numbers_count_newlines_only_despite_u2028_u2029_and_nel(tmp_path):
    # Quoted, the characters are text; the entries and a later error keep their editor line numbers.
    faq = ("- id: a\n  questions:\n    - \"How do I pay\u2028by card?\"\n    - 'Paying\u2029with cash\x85or check'\n"
           "  answer: By card.\n- id: b\n  questions: [x]\n  answer: y\n  answer: z\n")
    errors = load_errors(make_kb(tmp_path / "kb", faq=faq))
    assert errors == ["faq/main.yaml:9: invalid YAML (duplicate key 'answer' (first on line 8); keep one of them)"]
    kb = load_knowledge(make_kb(tmp_path / "ok", faq=faq.rsplit("  answer: z\n", 1)[0]))
    assert [(c.id, c.line) for c in kb.chunks] == [("a", 1), ("b", 6)]
    assert kb.chunks[0].questions[0] == "How do I pay\u2028by card?"
    # Unquoted, YAML reads U+2028 as a line break: the error is on a real line and names the character
    # (PyYAML alone said line 5 of this 4-line file).
    bad = "- id: a\n  questions:\n    - How do I pay\u2028by card?\n  answer: x\n"
    [error] = load_errors(make_kb(tmp_path / "bad", faq=bad))
    assert error.startswith("faq/main.yaml:4: invalid YAML (could not find expected ':'; line 3 holds a U+2028 "
                            "LINE SEPARATOR, which YAML reads as a line break: quote that text")


def test_guard_policy_yaml_is_parsed_safely(tmp_path):
    policy = tmp_path / "guard.yaml"
    policy.write_text("mode: monitor\nmode: enforce\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"guard.yaml:2 is not valid yaml: duplicate key 'mode'"):
        load_policy(policy)
    policy.write_text("output: &o [leak, secrets]\n" + "x: *o\n" * 200, encoding="utf-8")
    with pytest.raises(ConfigError, match="more than 100 aliases"):
        load_policy(policy)
