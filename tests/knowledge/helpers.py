"""Knowledge folders made in tmp folders for the hostile-input tests."""

from __future__ import annotations

from pathlib import Path

SCOPE = "service: Demo\ndescription: A demo service for tests.\n"
FAQ = """\
- id: invite
  questions:
    - How do I invite someone?
    - How can I add a teammate?
  answer: Go to Settings, Members, Invite.
"""
FAKE_TOKEN = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"


def make_kb(root: Path, faq: str | None = FAQ, docs: dict[str, str] | None = None, scope: str = SCOPE) -> Path:
    (root / "faq").mkdir(parents=True, exist_ok=True)
    (root / "scope.yaml").write_text(scope, encoding="utf-8")
    if faq is not None:
        (root / "faq" / "main.yaml").write_text(faq, encoding="utf-8")
    for name, text in (docs or {}).items():
        path = root / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
