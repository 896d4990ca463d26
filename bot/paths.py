"""Where things live: the knowledge folder and the data directory (index, audit log)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from bot.config import Settings
from bot.errors import HelpbotError

REPO_KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"


def bundled_knowledge() -> Path:
    """The sample knowledge base: the repo's folder in a checkout, the packaged copy after install."""
    packaged = Path(__file__).resolve().parent / "sample_knowledge"
    for candidate in (packaged, REPO_KNOWLEDGE):
        if (candidate / "scope.yaml").is_file():
            return candidate
    raise HelpbotError("the bundled sample knowledge base is missing: reinstall helpbot or pass --knowledge DIR")


def resolve_knowledge(settings: Settings, explicit: str | os.PathLike | None = None) -> Path:
    """--knowledge, else HELPBOT_KNOWLEDGE / [core] knowledge, else ./knowledge, else the sample."""
    chosen = explicit or settings.core["knowledge"]
    if chosen:
        path = Path(chosen).expanduser()
        if not path.is_dir():
            raise HelpbotError(f"knowledge folder {path} does not exist: pass --knowledge DIR or set HELPBOT_KNOWLEDGE")
        return path.resolve()
    local = Path.cwd() / "knowledge"
    if (local / "scope.yaml").is_file():
        return local.resolve()
    return bundled_knowledge()


def data_home(settings: Settings) -> Path:
    home = settings.core["home"]
    if home:
        path = Path(home).expanduser()
    else:
        base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
        path = Path(base) / "helpbot"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise HelpbotError(f"cannot create data directory {path} ({exc.strerror}): set HELPBOT_HOME to a writable folder") from None
    return path


def index_path(settings: Settings, knowledge: Path) -> Path:
    """One index database per knowledge folder; contents are cached by hash inside it."""
    key = hashlib.sha1(str(knowledge.resolve()).encode()).hexdigest()[:12]
    folder = data_home(settings) / "indexes"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{knowledge.name or 'knowledge'}-{key}.db"


def audit_path(settings: Settings) -> Path:
    return data_home(settings) / "helpbot.db"
