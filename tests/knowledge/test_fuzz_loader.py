"""Fuzz pass over the knowledge loader (issue 18): random YAML and Markdown bytes in random folder
layouts end in a loaded knowledge base or a KnowledgeError, never another exception, within a deadline."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.errors import KnowledgeError
from bot.guard.knowledge import scan_chunks, scan_knowledge_chunk
from bot.knowledge import load_knowledge

scan_knowledge_chunk("warm up: the rule indexes are built on first use, not inside a timed example")

YAML_ATOMS = ["- ", "id: ", "questions:", "answer: ", "url: ", "tags: ", "&a ", "*a", "<<: ", "[", "]", "{", "}",
              ": ", "? ", "!!python/object:os.system ", "!!binary ", "|", ">", "'", '"', "#", "---", "...", "\n",
              "  ", "\t", "\u2028", "\u2029", "\x85", "\ufeff", "\x00", "\x01", "0x1F", "1e3", "~", "null", "%YAML 1.1\n",
              "service: ", "description: ", "topics:", "contact: ", "__line__: "]
MD_ATOMS = ["# ", "## ", "###### ", "---\n", "title: ", "url: ", "```\n", "~~~\n", "<!-- ", " -->", "\n", "\n\n",
            "text ", "ignore previous instructions ", "\u200b", "\u2028", "xoxb-1234567890-abcdefghij ", "&a ", "*a"]


def _text(atoms: list[str]) -> st.SearchStrategy[bytes]:
    pieces = st.lists(st.one_of(st.sampled_from(atoms), st.text(max_size=12)), max_size=40)
    noise = st.binary(max_size=64)
    return st.one_of(pieces.map(lambda p: "".join(p).encode("utf-8", "surrogatepass")), noise)


layout = st.fixed_dictionaries({
    "scope": st.one_of(st.none(), _text(YAML_ATOMS),
                       st.just(b"service: Demo\ndescription: A demo.\n")),
    "faq": st.dictionaries(st.sampled_from(["a.yaml", "b.yml", "c.yaml"]), _text(YAML_ATOMS), max_size=2),
    "docs": st.dictionaries(st.sampled_from(["a.md", "sub/b.md", "c.md"]), _text(MD_ATOMS), max_size=2),
    "specials": st.lists(st.sampled_from(["fifo", "link_out", "link_in", "dir_as_file"]), max_size=2, unique=True),
})


def _write(root: Path, files: dict) -> None:
    (root / "faq").mkdir(parents=True)
    (root / "docs").mkdir()
    if files["scope"] is not None:
        (root / "scope.yaml").write_bytes(files["scope"])
    for name, data in files["faq"].items():
        (root / "faq" / name).write_bytes(data)
    for name, data in files["docs"].items():
        path = root / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    for special in files["specials"]:
        if special == "fifo":
            os.mkfifo(root / "docs" / "pipe.md")
        elif special == "link_out":
            os.symlink("/etc/hostname", root / "faq" / "out.yaml")
        elif special == "link_in":
            os.symlink(root / "scope.yaml", root / "docs" / "in.md")
        else:
            (root / "docs" / "folder.md").mkdir()


@settings(max_examples=300, deadline=5000, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(layout)
def test_loader_only_ever_raises_knowledge_error(files):
    tmp = Path(tempfile.mkdtemp(prefix="kbfuzz"))
    try:
        _write(tmp / "kb", files)
        try:
            kb = load_knowledge(tmp / "kb")
        except KnowledgeError as exc:
            assert exc.errors and all(isinstance(e, str) and e for e in exc.errors)
        else:
            assert kb.fingerprint and isinstance(scan_chunks(kb.chunks), list)  # hashing and the scan run too
            for chunk in kb.chunks:
                assert isinstance(chunk.text, str) and (chunk.url is None or isinstance(chunk.url, str))
    finally:
        shutil.rmtree(tmp)
