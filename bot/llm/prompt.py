"""Versioned prompt files, quoting of untrusted text, the process canary, citation parsing."""

from __future__ import annotations

import hashlib
import re
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path

from bot.errors import ConfigError

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"

# Random per process: if it ever shows up in an answer, the system prompt leaked.
CANARY = f"HB-CANARY-{secrets.token_hex(8)}"


@dataclass(frozen=True)
class Passage:
    id: str
    title: str
    url: str | None
    text: str


# Runs of 2+ angle brackets (ASCII or look-alikes, spaces allowed between) could fake a delimiter.
_BRACKETS = "<>\uff1c\uff1e\ufe64\ufe65\u2329\u232a\u27e8\u27e9\u3008\u3009\u2039\u203a\u00ab\u00bb"
_OPEN = set("<\uff1c\ufe64\u2329\u27e8\u3008\u2039\u00ab")
_BRACKET_RUN = re.compile(f"[{_BRACKETS}](?:\\s*[{_BRACKETS}])+")
# Chat-template control tokens that a tokenizer might parse as special tokens.
_SPECIAL = re.compile(r"<\|[^<>|\n]{0,40}\|>|</?s>|\[/?INST\]|<(?:start|end)_of_turn>|<\|?(?:bos|eos)\|?>",
                      re.IGNORECASE)
_ID_UNSAFE = re.compile(r"[^\w:./@#-]")


def _defang(match: re.Match) -> str:
    return "".join("(" if c in _OPEN else ")" if c in _BRACKETS else c for c in match.group(0))


def neutralize(text: str, canary: str = CANARY) -> str:
    """Make untrusted text safe to quote: no delimiter look-alikes, no control tokens, no canary."""
    text = _SPECIAL.sub(lambda m: m.group(0).replace("<", "(").replace(">", ")")
                        .replace("[", "(").replace("]", ")").replace("|", "!"), text)
    text = _BRACKET_RUN.sub(_defang, text)
    return text.replace(canary, "[redacted]")


def clean_id(passage_id: str) -> str:
    """Passage ids are quoted bare (no spaces, brackets or quotes) so they can be cited."""
    return _ID_UNSAFE.sub("-", passage_id.strip())


_CITATION = re.compile(r"\[([^\[\]\n]{1,200})\]")


def extract_citations(text: str, passage_ids: list[str]) -> list[str]:
    """Ids of `passage_ids` cited as [id] or [id1, id2] in `text`, in order of first citation."""
    known = {clean_id(pid).lower(): pid for pid in passage_ids}
    cited: list[str] = []
    for group in _CITATION.findall(text):
        for part in re.split(r"[,;]|\s+and\s+", group):
            pid = known.get(part.strip().strip("`'\"").lower())
            if pid is not None and pid not in cited:
                cited.append(pid)
    return cited


class PromptTemplate:
    """A prompt file: `version`, `system`, `user_template`, `passage_template`, `stop`, `unknown`."""

    def __init__(self, data: dict, source: bytes, path: Path | None = None):
        for key in ("version", "system", "user_template", "passage_template"):
            if not isinstance(data.get(key), str) or not data[key].strip():
                raise ConfigError(f"prompt {path or '<data>'}: missing text field {key!r}")
        self.path = path
        self.version: str = data["version"]
        self.hash = hashlib.sha256(source).hexdigest()[:12]
        self.system: str = data["system"]
        self.user_template: str = data["user_template"]
        self.passage_template: str = data["passage_template"]
        self.stop: list[str] = list(data.get("stop", []))
        self.unknown: str = data.get("unknown", "I don't know")
        for field, text, names in (("system", self.system, ("{canary}",)),
                                   ("user_template", self.user_template, ("{question}", "{passages}")),
                                   ("passage_template", self.passage_template, ("{id}", "{text}"))):
            for name in names:
                if name not in text:
                    raise ConfigError(f"prompt {path or '<data>'}: {field} must contain {name}")

    @classmethod
    def load(cls, name_or_path: str | Path = "answer") -> "PromptTemplate":
        """A file path, "answer.v1" (bot/prompts/answer.v1.toml) or "answer" (its newest version)."""
        path = Path(name_or_path)
        if not path.is_file():
            name = str(name_or_path)
            path = PROMPTS_DIR / f"{name}.toml"
            if not path.is_file():
                versions = sorted(PROMPTS_DIR.glob(f"{name}.v*.toml"),
                                  key=lambda p: int(re.sub(r"\D", "", p.stem.rsplit(".v", 1)[1]) or 0))
                if not versions:
                    known = ", ".join(sorted(p.stem for p in PROMPTS_DIR.glob("*.toml")))
                    raise ConfigError(f"prompt {name!r} not found: give a .toml path or one of: {known}")
                path = versions[-1]
        source = path.read_bytes()
        try:
            data = tomllib.loads(source.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"prompt {path}: invalid TOML: {exc}") from exc
        return cls(data, source, path)

    def system_message(self, canary: str = CANARY) -> str:
        return self.system.format(canary=canary, unknown=self.unknown)

    def passage_block(self, passage: Passage, canary: str = CANARY) -> str:
        return self.passage_template.format(
            id=clean_id(passage.id), title=neutralize(passage.title, canary).replace('"', "'"),
            text=neutralize(passage.text, canary).strip())

    def render(self, question: str, passages: list[Passage], canary: str = CANARY) -> list[dict]:
        """Chat messages: the fixed system prompt, then passages and question quoted as data."""
        blocks = "\n\n".join(self.passage_block(p, canary) for p in passages)
        user = self.user_template.format(passages=blocks, question=neutralize(question, canary).strip())
        return [{"role": "system", "content": self.system_message(canary)},
                {"role": "user", "content": user}]

    def says_unknown(self, text: str) -> bool:
        def norm(s: str) -> str:
            return s.strip().lower().replace("\u2019", "'").rstrip(".")
        return norm(text).startswith(norm(self.unknown))
