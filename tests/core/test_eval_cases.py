"""`helpbot eval` input: JSON lines split on "\\n" only, every bad line reported, duplicate ids refused."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.errors import HelpbotError
from bot.core.evaluate import load_cases


def write(tmp_path, *lines: str, name="cases.jsonl"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_line_separators_inside_json_strings_are_text(tmp_path):
    # json.dumps keeps U+2028/U+2029/U+0085 raw with ensure_ascii=False: valid JSON Lines.
    first = json.dumps({"id": "a", "text": "pasted\u2028from chat\u2029and\x85more", "expect": "answer"},
                       ensure_ascii=False)
    path = write(tmp_path, first, '{"id": "b", "text": "second", "expect": "refuse"}', 'not json')
    with pytest.raises(HelpbotError) as err:
        load_cases(path)
    assert "cases.jsonl:3: invalid JSON" in str(err.value)  # the right line: 3, not 5 or 6
    path = write(tmp_path, first, '{"id": "b", "text": "second", "expect": "refuse"}')
    cases = load_cases(path)
    assert [c.id for c in cases] == ["a", "b"] and "\u2028" in cases[0].text


def test_crlf_and_bom_are_accepted(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"id": "a", "text": "hi", "expect": "smalltalk"}\r\n'
                     b'{"id": "b", "text": "x", "expect": ["refuse", "unknown"]}\r\n')
    assert [c.expect for c in load_cases(path)] == [["smalltalk"], ["refuse", "unknown"]]


@pytest.mark.parametrize("line, message", [
    ('{"id": "a", "text": "hi", "expect": []}', '"expect" must be a route or a non-empty list'),
    ('{"id": "a", "text": "hi", "expect": [1]}', '"expect" must be a route or a non-empty list'),
    ('{"id": "a", "text": "hi", "expect": null}', '"expect" must be a route'),
    ('{"id": "a", "text": "hi"}', '"expect" must be a route'),
    ('{"id": "a", "text": 5, "expect": "answer"}', '"text" must be a string'),
    ('{"id": "a", "text": "hi", "expect": "answer", "conversation": 7}', '"conversation" must be a non-empty string'),
    ('{"id": "a", "text": "hi", "expect": "answer", "conversation": ["x"]}', '"conversation" must be'),
    ('{"id": "a", "text": "hi", "expect": "answer", "source": {"id": 1}}', '"source" must be a non-empty string'),
    ('{"id": ["a"], "text": "hi", "expect": "answer"}', '"id" must be a non-empty string or a number'),
    ('{"id": "a", "text": "hi", "expect": "answer", "sorce": "x"}', "unknown key(s) ['sorce']"),
    ('["a", "b"]', "must be a JSON object"),
    ('"just a string"', "must be a JSON object"),
    ('[' * 100_000, "invalid JSON"),
])
def test_bad_cases_are_reported_with_their_line(tmp_path, line, message):
    path = write(tmp_path, '{"id": "ok", "text": "hi", "expect": "answer"}', line)
    with pytest.raises(HelpbotError) as err:
        load_cases(path)
    assert f"cases.jsonl:2: " in str(err.value) and message in str(err.value), str(err.value)


def test_every_bad_line_is_listed(tmp_path):
    lines = ['{"id": "%d", "text": "hi", "expect": "nope"}' % n for n in range(7)]
    with pytest.raises(HelpbotError) as err:
        load_cases(write(tmp_path, *lines))
    text = str(err.value)
    assert text.startswith("7 bad eval case line(s)")
    assert all(f"cases.jsonl:{n}: unknown route" in text for n in range(1, 8))


def test_duplicate_ids_are_refused(tmp_path):
    path = write(tmp_path, '{"id": "q1", "text": "first", "expect": "answer"}',
                 '{"id": "q2", "text": "other", "expect": "answer"}',
                 '{"id": "q1", "text": "second", "expect": "answer"}')
    with pytest.raises(HelpbotError) as err:
        load_cases(path)
    assert "cases.jsonl:3: duplicate id 'q1' (first on line 1)" in str(err.value)
    assert '"conversation"' in str(err.value)  # says how to chain cases on purpose


def test_conversation_chains_cases_on_purpose(tmp_path):
    path = write(tmp_path, '{"id": "t1", "text": "first", "expect": "answer", "conversation": "c"}',
                 '{"id": "t2", "text": "then", "expect": "answer", "conversation": "c"}')
    assert [c.conversation for c in load_cases(path)] == ["c", "c"]


@pytest.mark.parametrize("content", [b"\xff\xfe\x00binary", b"", b"\n\n  \n"])
def test_binary_and_empty_files(tmp_path, content):
    path = tmp_path / "c.jsonl"
    path.write_bytes(content)
    with pytest.raises(HelpbotError) as err:
        load_cases(path)
    assert "not UTF-8" in str(err.value) or "no eval cases" in str(err.value)


def test_cli_reports_bad_cases_without_a_traceback(tmp_path):
    path = write(tmp_path, '{"id": "a", "text": "hi", "expect": []}', '{"id": "b", "text": 1, "expect": "answer"}',
                 '{"id": "a", "text": "x", "expect": "answer"}')
    result = CliRunner().invoke(main, ["eval", str(path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    for n in (1, 2, 3):
        assert f"cases.jsonl:{n}: " in result.output
    result = CliRunner().invoke(main, ["eval", str(tmp_path)])
    assert result.exit_code != 0 and "directory" in result.output and "Traceback" not in result.output
    with pytest.raises(HelpbotError, match="is a folder"):
        load_cases(tmp_path)
