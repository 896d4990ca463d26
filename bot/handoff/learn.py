""""Save as FAQ": turn a person's answer into an entry of `faq/learned.yaml` in the knowledge folder.

A save never leaves the folder half-written: the new file is written to a temporary file beside
it, read back and checked with the knowledge loader's own rules, then renamed over the old one.
Saves are serialised (a lock in this process and `flock` on the `faq/` folder for other processes
on the same disk), and each re-reads the file under the lock, so two admins saving at once both land.
Secrets are refused (never written); the normal validated reload then serves the entry.
"""

from __future__ import annotations

import contextlib
import hashlib
import datetime as dt
import os
import re
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot import strings
from bot.guard.secrets import find_secrets, mask_secrets
from bot.knowledge.loader import parse_faq_text

LEARNED = "faq/learned.yaml"
MAX_ANSWER_CHARS = 4000
MAX_QUESTIONS = 10
MAX_QUESTION_CHARS = 300
MAX_ID_CHARS = 60
MAX_URL_CHARS = 500
_ID = re.compile(r"^[^\W_A-Z](?:[\w-]*[^\W_A-Z])?$")  # lower-case letters (any script), digits, - and _ inside
_WORD = re.compile(r"[^\W_]+")
HEADER = ("# FAQ entries saved from chat with \"Save as FAQ\" (helpbot). Same format as every faq/*.yaml file;\n"
          "# edit or move entries freely (keep each id unique across the knowledge).\n")

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows: the in-process lock only
    fcntl = None


class SaveRefused(Exception):
    """The entry was not saved. `errors`: form field ("id", "questions", "answer", "url") -> reason."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass
class LearnedEntry:
    id: str
    questions: list[str]
    answer: str
    url: str | None = None
    tags: list[str] = field(default_factory=list)

    def as_yaml_item(self) -> dict:
        item: dict = {"id": self.id, "questions": list(self.questions), "answer": self.answer}
        if self.url:
            item["url"] = self.url
        if self.tags:
            item["tags"] = list(self.tags)
        return item


def parse_questions(text: str) -> list[str]:
    """One phrasing per line; blank lines and repeats dropped, list markers ("- ", "* ") removed."""
    seen: dict[str, str] = {}
    for line in (text or "").splitlines():
        line = re.sub(r"^\s*(?:[-*•]|\d+[.)])\s+", "", line).strip()
        if line and line.lower() not in seen:
            seen[line.lower()] = line
    return list(seen.values())


def suggest_id(question: str, taken: set[str] | frozenset = frozenset()) -> str:
    """An id from the question's words ("how-do-i-export-to-csv"), made unique with -2, -3, ..."""
    words = _WORD.findall((question or "").lower())
    base = ""
    for word in words:
        candidate = f"{base}-{word}" if base else word
        if len(candidate) > MAX_ID_CHARS - 4:
            break
        base = candidate
    base = base or "learned"
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def prefill(question: str, answer: str, taken: set[str]) -> dict[str, str]:
    """What the form opens with: the asker's question (already redacted), the selected answer with
    secrets masked, and a suggested id."""
    questions = parse_questions(question)
    return {"questions": "\n".join(questions), "answer": mask_secrets((answer or "").strip())[:MAX_ANSWER_CHARS],
            "id": suggest_id(questions[0] if questions else "", taken)}


class _Dumper(yaml.SafeDumper):
    """Multi-line strings as `|` blocks (PyYAML falls back to quoting when a block cannot hold them)."""


_Dumper.add_representer(str, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", s,
                                                               style="|" if "\n" in s else None))


def entry_yaml(entry: LearnedEntry, who: str, when: dt.datetime | None = None) -> str:
    when = when or dt.datetime.now(dt.timezone.utc)
    who = re.sub(r"\s+", " ", who or "unknown")[:100]
    body = yaml.dump([entry.as_yaml_item()], Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    return f"# saved by {who} at {when.isoformat(timespec='seconds')}\n{body}"


class LearnedFaq:
    """The bot's `faq/learned.yaml`. One per bot: it holds the write lock."""

    def __init__(self, bot):
        self.bot = bot
        self._lock = threading.Lock()
        self._last: tuple[bytes, list, list] | None = None  # the last text parsed: (hash, chunks, problems)

    def _parse(self, text: str) -> tuple[list, list[str]]:
        """learned.yaml's entries and problems; the text a save just validated is not parsed again."""
        key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
        if self._last is None or self._last[0] != key:
            self._last = (key, *parse_faq_text(text, LEARNED))
        return self._last[1], self._last[2]

    @property
    def path(self) -> Path:
        return Path(self.bot.knowledge_dir) / LEARNED

    def taken_ids(self) -> set[str]:
        """Every id the knowledge uses now: the served one, and learned.yaml as it is on disk."""
        served = {c.id for c in self.bot.snapshot.kb.chunks}
        try:
            on_disk, _ = self._parse(self._read()) if self.path.exists() else ([], [])
        except SaveRefused:
            on_disk = []
        return served | {c.id for c in on_disk}

    # -- checking -------------------------------------------------------------------------------
    def check(self, entry: LearnedEntry, on_disk: list | None = None) -> dict[str, str]:
        """field -> reason for everything wrong with `entry` (empty: it may be saved). `on_disk`:
        learned.yaml's entries if the caller has parsed it already."""
        errors: dict[str, str] = {}
        questions = [q.strip() for q in entry.questions if q and q.strip()]
        if not questions:
            errors["questions"] = strings.SAVE_FAQ_EMPTY_QUESTIONS
        elif len(questions) > MAX_QUESTIONS:
            errors["questions"] = strings.SAVE_FAQ_TOO_MANY_QUESTIONS.format(limit=MAX_QUESTIONS)
        elif longest := max((q for q in questions if len(q) > MAX_QUESTION_CHARS), key=len, default=""):
            errors["questions"] = strings.SAVE_FAQ_LONG_QUESTION.format(length=len(longest), limit=MAX_QUESTION_CHARS)
        answer = (entry.answer or "").strip()
        if not answer:
            errors["answer"] = strings.SAVE_FAQ_EMPTY_ANSWER
        elif len(answer) > MAX_ANSWER_CHARS:
            errors["answer"] = strings.SAVE_FAQ_LONG_ANSWER.format(length=len(answer), limit=MAX_ANSWER_CHARS)
        entry_id = (entry.id or "").strip()
        if not _ID.match(entry_id) or entry_id != entry_id.lower() or len(entry_id) > MAX_ID_CHARS:
            errors["id"] = strings.SAVE_FAQ_BAD_ID.format(limit=MAX_ID_CHARS, example=suggest_id(" ".join(questions[:1])))
        url = (entry.url or "").strip()
        if url and (not re.match(r"https?://", url) or any(c.isspace() for c in url) or len(url) > MAX_URL_CHARS):
            errors["url"] = strings.SAVE_FAQ_BAD_URL
        for name, values in (("questions", questions), ("answer", [answer]), ("url", [url]), ("id", [entry_id])):
            spans = [s for v in values for s in find_secrets(v)]
            if spans and name not in errors:
                errors[name] = strings.SAVE_FAQ_SECRET.format(kind=spans[0].kind.removeprefix("secret.").replace("_", " "))
        if "id" not in errors:
            where = self._where(entry_id, on_disk)
            if where:
                errors["id"] = strings.SAVE_FAQ_DUPLICATE_ID.format(id=entry_id, where=where)
        return errors

    def _where(self, entry_id: str, on_disk: list | None = None) -> str:
        """Where `entry_id` is used already ("" if nowhere)."""
        if on_disk is None and self.path.exists():
            on_disk, _ = self._parse(self._read())
        for chunk in on_disk or []:
            if chunk.id == entry_id:
                return f"{LEARNED}:{chunk.line}"
        chunk = self.bot.snapshot.kb.by_id().get(entry_id)
        return f"{chunk.source_file}:{chunk.line}" if chunk is not None else ""

    # -- writing --------------------------------------------------------------------------------
    def _read(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8").replace("\r\n", "\n")
        except FileNotFoundError:
            return ""
        except (OSError, UnicodeDecodeError) as exc:
            raise SaveRefused({"answer": strings.SAVE_FAQ_INVALID.format(error=f"{LEARNED}: {exc}")}) from None

    @contextlib.contextmanager
    def _locked(self):
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SaveRefused({"answer": strings.SAVE_FAQ_NOT_WRITABLE.format(path=folder, error=exc.strerror)}) from None
        with self._lock:
            fd = os.open(folder, os.O_RDONLY) if fcntl is not None else None
            try:
                if fd is not None:
                    fcntl.flock(fd, fcntl.LOCK_EX)  # other processes writing the same folder
                yield
            finally:
                if fd is not None:
                    os.close(fd)  # releases the flock

    def save(self, entry: LearnedEntry, who: str) -> str:
        """Append `entry` to faq/learned.yaml; its id. Raises SaveRefused with the reasons."""
        entry = LearnedEntry(entry.id.strip(), [q.strip() for q in entry.questions if q.strip()],
                             entry.answer.strip(), (entry.url or "").strip() or None, list(entry.tags))
        with self._locked():
            old = self._read()  # under the lock: a save that just landed counts
            on_disk, problems = self._parse(old) if old.strip() else ([], [])
            errors = self.check(entry, on_disk)
            if errors:
                raise SaveRefused(errors)
            if problems:
                raise SaveRefused({"answer": strings.SAVE_FAQ_INVALID.format(error=problems[0])})
            text = (old.rstrip("\n") + "\n\n" if old.strip() else HEADER + "\n") + entry_yaml(entry, who)
            self._replace(text)
        return entry.id

    def _replace(self, text: str) -> None:
        """Temporary file beside it -> read back and validate -> rename over learned.yaml."""
        folder = self.path.parent
        try:
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".learned.yaml.", suffix=".tmp")
        except OSError as exc:
            raise SaveRefused({"answer": strings.SAVE_FAQ_NOT_WRITABLE.format(path=self.path, error=exc.strerror)}) from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            written = Path(tmp).read_text(encoding="utf-8")
            _, problems = self._parse(written)
            if problems:
                raise SaveRefused({"answer": strings.SAVE_FAQ_INVALID.format(error=problems[0])})
            mode = self.path.stat().st_mode & 0o777 if self.path.exists() else 0o644
            os.chmod(tmp, mode)
            os.replace(tmp, self.path)
            tmp = ""
            with contextlib.suppress(OSError):  # the rename itself on disk
                dir_fd = os.open(folder, os.O_RDONLY)
                try:
                    os.fsync(dir_fd)
                finally:
                    os.close(dir_fd)
        except OSError as exc:
            raise SaveRefused({"answer": strings.SAVE_FAQ_NOT_WRITABLE.format(path=self.path, error=exc.strerror)}) from None
        finally:
            if tmp:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)

    async def save_and_reload(self, entry: LearnedEntry, who: str):
        """save() in a worker thread, then the normal validated reload; (id, ReloadResult). The entry
        stays on disk when the reload fails (another file broken): the result says why."""
        import asyncio

        from bot.ops.reload import reload_knowledge

        saved = await asyncio.to_thread(self.save, entry, who)
        return saved, await reload_knowledge(self.bot, who, wait=True)


def saved_text(entry_id: str, who: str, result) -> str:
    """What the admin and the thread are told after a save (`result`: the reload's ReloadResult)."""
    if result.ok:
        after = strings.SAVE_FAQ_RELOADED
    else:
        after = strings.SAVE_FAQ_RELOAD_FAILED.format(errors="\n".join(f"- {e}" for e in result.errors[:10]))
    return strings.SAVE_FAQ_SAVED.format(id=entry_id, who=who, reload=after)
