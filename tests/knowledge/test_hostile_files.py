"""Item 1 of issue 18: the loader reads regular files inside the knowledge folder only, and never
hangs on a FIFO. Each hostile file is made in a tmp folder."""

from __future__ import annotations

import os
import threading

import pytest

from bot.errors import KnowledgeError
from bot.knowledge import load_knowledge
from tests.knowledge.helpers import FAKE_TOKEN, make_kb


def load_errors(root) -> list[str]:
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(root)
    return info.value.errors


def load_within(root, seconds: float = 10.0):
    """load_knowledge in a thread; fails the test (instead of hanging it) if it does not return."""
    box: dict = {}

    def run():
        try:
            box["kb"] = load_knowledge(root)
        except KnowledgeError as exc:
            box["errors"] = exc.errors

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), "load_knowledge hung"
    return box


@pytest.fixture
def outside_env(tmp_path):
    secret = tmp_path / "outside" / "prod.env"
    secret.parent.mkdir()
    secret.write_text(f"SLACK_BOT_TOKEN={FAKE_TOKEN}\n", encoding="utf-8")
    return secret


def test_symlink_to_a_file_outside_is_an_error_naming_the_file(tmp_path, outside_env):
    root = make_kb(tmp_path / "kb", docs={"ok.md": "# Ok\n\nFine text.\n"})
    os.symlink(outside_env, root / "docs" / "passwd.md")
    errors = load_errors(root)
    assert len(errors) == 1
    assert errors[0].startswith("docs/passwd.md: is a symbolic link to ") and "outside the knowledge folder" in errors[0]
    assert "copy the file into the folder" in errors[0]
    assert FAKE_TOKEN not in "\n".join(errors)


def test_symlink_to_etc_passwd_is_refused(tmp_path):
    root = make_kb(tmp_path / "kb")
    os.symlink("/etc/passwd", root / "faq" / "passwd.yaml")
    assert load_errors(root)[0].startswith("faq/passwd.yaml: is a symbolic link to /etc/passwd")


def test_relative_symlink_escaping_with_dotdot_is_refused(tmp_path, outside_env):
    root = make_kb(tmp_path / "kb")
    (root / "docs").mkdir()
    os.symlink("../../outside/prod.env", root / "docs" / "env.md")
    assert "outside the knowledge folder" in load_errors(root)[0]


def test_scope_and_folders_linked_outside_are_refused(tmp_path, outside_env):
    root = make_kb(tmp_path / "kb")
    (root / "scope.yaml").unlink()
    os.symlink(outside_env, root / "scope.yaml")
    os.symlink(outside_env.parent, root / "docs")
    errors = load_errors(root)
    assert any(e.startswith("scope.yaml: is a symbolic link to") for e in errors)
    assert any(e.startswith("docs: is a symbolic link to") for e in errors)


def test_symlink_that_stays_inside_is_fine(tmp_path):
    root = make_kb(tmp_path / "kb", docs={"guide.md": "# Guide\n\n## Setup\n\nRun the installer.\n"})
    (root / "shared").mkdir()
    (root / "shared" / "extra.md").write_text("# Extra\n\nExtra text here.\n", encoding="utf-8")
    os.symlink("../shared/extra.md", root / "docs" / "extra.md")
    os.symlink(root / "docs" / "guide.md", root / "docs" / "guide-again.md")
    kb = load_knowledge(root)
    ids = {c.id for c in kb.chunks}
    assert {"docs/extra.md#extra", "docs/guide.md#setup", "docs/guide-again.md#setup"} <= ids


def test_fifo_is_an_error_and_never_hangs(tmp_path):
    root = make_kb(tmp_path / "kb", docs={"ok.md": "# Ok\n\nFine.\n"})
    os.mkfifo(root / "docs" / "pipe.md")
    os.mkfifo(root / "faq" / "pipe.yaml")
    box = load_within(root)
    assert sorted(box["errors"]) == [
        "docs/pipe.md: is a FIFO (named pipe), not a regular file; replace it with a text file or remove it",
        "faq/pipe.yaml: is a FIFO (named pipe), not a regular file; replace it with a text file or remove it",
    ]


def test_fifo_inside_reached_by_a_symlink_never_hangs(tmp_path):
    root = make_kb(tmp_path / "kb")
    (root / "docs").mkdir()
    os.mkfifo(root / "pipe")
    os.symlink(root / "pipe", root / "docs" / "pipe.md")
    assert "is a FIFO" in load_within(root)["errors"][0]


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
def test_device_via_symlink_is_refused(tmp_path):
    root = make_kb(tmp_path / "kb")
    (root / "docs").mkdir()
    os.symlink("/dev/zero", root / "docs" / "zero.md")
    errors = load_within(root)["errors"]
    assert errors[0].startswith("docs/zero.md: is a symbolic link to /dev/zero, outside the knowledge folder")


def test_socket_and_broken_link_are_named(tmp_path):
    import socket

    root = make_kb(tmp_path / "kb")
    (root / "docs").mkdir()
    os.symlink(root / "nowhere.md", root / "docs" / "broken.md")
    sock = socket.socket(socket.AF_UNIX)
    short = tmp_path / "s"  # AF_UNIX paths are short
    try:
        sock.bind(str(short))
        os.rename(short, root / "docs" / "real-sock.md")
        errors = load_within(root)["errors"]
    finally:
        sock.close()
    assert "docs/broken.md: is a broken symbolic link; fix its target or remove it" in errors
    assert any(e.startswith("docs/real-sock.md: is a socket, not a regular file") for e in errors)


def test_invalid_knowledge_fails_before_the_model_loads(tmp_path, monkeypatch):
    """A broken folder is reported at once: the embedding model (seconds, hundreds of MB) is never loaded."""
    from click.testing import CliRunner

    import bot.core.pipeline as pipeline
    from bot.cli import main
    from tests.knowledge.helpers import make_kb

    knowledge = make_kb(tmp_path / "kb", faq="- id: a\n  questions: [x]\n  answer: y\n  answer: z\n")
    monkeypatch.setattr(pipeline, "get_embedder", lambda *a, **k: pytest.fail("the model was loaded"))
    result = CliRunner().invoke(main, ["ask", "--knowledge", str(knowledge), "hello"])
    assert result.exit_code == 1 and "duplicate key 'answer'" in result.output, result.output
