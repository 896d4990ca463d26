"""Load and validate a knowledge folder. Every problem is collected; nothing is half-loaded."""

from __future__ import annotations

import copy
import functools
import hashlib
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot import safeyaml
from bot.errors import KnowledgeError
from bot.knowledge.markdown import split_front_matter, split_sections


class Passage(str):
    """A text to embed in the passage role (a doc section: searched, not compared with a question as
    an equal); a plain str is a query. Models trained with roles (e5) use it; others embed both alike."""

    __slots__ = ()

SCOPE_KEYS = {"service", "description", "topics", "contact"}
FAQ_KEYS = {"id", "questions", "answer", "url", "tags"}
FRONT_MATTER_KEYS = {"title", "url"}
MAX_FILE_BYTES = 2_000_000  # per file: a bigger page or FAQ file is refused, naming the file and the limit
MAX_SECTIONS_PER_PAGE = 10_000  # heading sections in one Markdown page
MAX_CHUNKS = 100_000  # FAQ entries + doc sections in one knowledge folder (vector search is measured at 100k)


@dataclass(frozen=True)
class Chunk:
    """One retrievable unit: an FAQ entry or a doc heading section."""

    id: str
    kind: str  # "faq" | "doc"
    title: str
    url: str | None
    text: str  # the answer (faq) or section body (doc)
    questions: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    source_file: str = ""
    line: int = 0
    parents: tuple[str, ...] = ()  # doc sections: the headings above this one (matched as context, not shown)

    @property
    def embed_texts(self) -> tuple[str, ...]:
        """What gets embedded: each phrasing of an FAQ, the heading plus body of a doc section."""
        if self.kind == "faq":
            return self.questions
        return (Passage(f"{self.title}. {self.text[:1500]}"),)  # a passage for models with roles (e5)

    @property
    def content_hash(self) -> str:
        h = hashlib.sha256()
        for part in (self.kind, self.title, self.url or "", self.text, *self.questions, *self.tags):
            h.update(part.encode("utf-8"))
            h.update(b"\x00")
        return h.hexdigest()[:32]


@dataclass
class KnowledgeBase:
    root: Path
    scope: dict[str, Any]
    chunks: list[Chunk] = field(default_factory=list)

    @property
    def service(self) -> str:
        return self.scope["service"]

    @functools.cached_property
    def fingerprint(self) -> str:
        """Of every chunk's id and content (chunks do not change after loading: computed once)."""
        h = hashlib.sha256()
        for chunk in sorted(self.chunks, key=lambda c: c.id):
            h.update(chunk.id.encode())
            h.update(chunk.content_hash.encode())
        return h.hexdigest()[:16]

    def by_id(self) -> dict[str, Chunk]:
        return self._by_id

    @functools.cached_property
    def _by_id(self) -> dict[str, Chunk]:
        return {c.id: c for c in self.chunks}


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "not a regular file"


def _read_text(root: Path, path: Path, rel: str, errors: list[str]) -> str | None:
    """A regular file inside `root` (links that stay inside are followed), as text. Never blocks:
    the type is checked before opening, and the open is non-blocking, so a FIFO cannot hang a load."""
    base = str(root.resolve())
    real = os.path.realpath(path)
    if not _inside(real, base):
        errors.append(f"{rel}: is a symbolic link to {real}, outside the knowledge folder; "
                      "copy the file into the folder instead of linking it")
        return None
    try:
        st = os.stat(real)
        if not stat.S_ISREG(st.st_mode):
            errors.append(f"{rel}: is {_kind(st.st_mode)}, not a regular file; replace it with a text file or remove it")
            return None
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_NOCTTY | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as fh:
            now = os.fstat(fh.fileno())
            if (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino) or not stat.S_ISREG(now.st_mode):
                errors.append(f"{rel}: changed while it was read; run the load again")
                return None
            data = fh.read(MAX_FILE_BYTES + 1)
            size = max(now.st_size, len(data))
    except FileNotFoundError:
        errors.append(f"{rel}: is a broken symbolic link; fix its target or remove it")
        return None
    except OSError as exc:
        errors.append(f"{rel}: cannot read file ({exc.strerror}); check its permissions")
        return None
    if len(data) > MAX_FILE_BYTES:
        errors.append(f"{rel}: file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,} bytes per knowledge file; "
                      "split it into smaller files")
        return None
    if b"\x00" in data:
        errors.append(f"{rel}: looks binary (NUL bytes); knowledge files must be UTF-8 text")
        return None
    try:
        return data.decode("utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        errors.append(f"{rel}:{line}: invalid UTF-8 (byte {exc.start}); save the file as UTF-8")
        return None


def _parse_yaml(text: str, rel: str, errors: list[str], lines: bool = True, first_line: int = 1) -> Any:
    try:
        return safeyaml.load(text, lines=lines, first_line=first_line)
    except safeyaml.YamlProblem as exc:
        where = f"{rel}:{exc.line}" if exc.line else rel
        errors.append(f"{where}: invalid YAML ({exc.message})")
        return None


class ParseCache:
    """Parsed FAQ files by text, kept on the bot between reloads: a reload parses only changed
    files (YAML parsing is most of a large knowledge base's load). Holds the last load's files only."""

    def __init__(self):
        self.parsed: dict[bytes, Any] = {}
        self.used: set[bytes] = set()

    def parse(self, text: str, rel: str, errors: list[str]) -> Any:
        key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()
        self.used.add(key)
        if key not in self.parsed:
            before = len(errors)
            data = _parse_yaml(text, rel, errors)
            if len(errors) > before:
                return data  # problems are reported again on every load: never cached
            self.parsed[key] = data
        return copy.deepcopy(self.parsed[key])  # the loader pops its line markers

    def keep_used(self) -> None:
        self.parsed = {k: v for k, v in self.parsed.items() if k in self.used}
        self.used = set()


def _load_yaml(root: Path, path: Path, rel: str, errors: list[str], cache: ParseCache | None = None) -> Any:
    text = _read_text(root, path, rel, errors)
    if text is None:
        return None
    return cache.parse(text, rel, errors) if cache is not None else _parse_yaml(text, rel, errors)


def _folder(root: Path, name: str, errors: list[str]) -> Path | None:
    """`root/name` if it is a folder inside the knowledge folder (it may be a link that stays inside)."""
    folder = root / name
    if not folder.is_dir():
        return None
    if not _inside(os.path.realpath(folder), str(root.resolve())):
        errors.append(f"{name}: is a symbolic link to {os.path.realpath(folder)}, outside the knowledge folder; "
                      "copy the files into the folder instead of linking them")
        return None
    return folder


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _load_scope(root: Path, errors: list[str]) -> dict[str, Any]:
    path = root / "scope.yaml"
    if not os.path.lexists(path):
        errors.append("scope.yaml: missing; create it with `service:` and `description:`")
        return {}
    data = _load_yaml(root, path, "scope.yaml", errors)
    if data is None:
        return {}
    if not isinstance(data, dict):
        errors.append("scope.yaml: must be a mapping with `service` and `description`")
        return {}
    data.pop("__line__", None)
    for key in sorted(set(data) - SCOPE_KEYS, key=str):
        errors.append(f"scope.yaml: unknown key {key!r} (allowed: {', '.join(sorted(SCOPE_KEYS))})")
    for key in ("service", "description"):
        if not isinstance(data.get(key), str) or not data.get(key, "").strip():
            errors.append(f"scope.yaml: `{key}` is required and must be non-empty text")
    if "topics" in data and not _strings(data["topics"]):
        errors.append("scope.yaml: `topics` must be a list of strings")
    if "contact" in data and not isinstance(data["contact"], str):
        errors.append("scope.yaml: `contact` must be text")
    return data


def _faq_chunks(root: Path, errors: list[str], cache: ParseCache | None = None) -> list[Chunk]:
    chunks: list[Chunk] = []
    faq = _folder(root, "faq", errors)
    for path in sorted(faq.glob("*.y*ml")) if faq else []:
        rel = path.relative_to(root).as_posix()
        data = _load_yaml(root, path, rel, errors, cache)
        if data is None:
            continue
        if not isinstance(data, list):
            errors.append(f"{rel}: must be a YAML list of entries (`- id: ...`)")
            continue
        for n, entry in enumerate(data, start=1):
            if not isinstance(entry, dict):
                errors.append(f"{rel}: entry {n} must be a mapping with id, questions, answer")
                continue
            line = entry.pop("__line__", 0)
            where = f"{rel}:{line}"
            for key in sorted(set(entry) - FAQ_KEYS, key=str):
                errors.append(f"{where}: unknown key {key!r} (allowed: {', '.join(sorted(FAQ_KEYS))})")
            entry_id = entry.get("id")
            if not isinstance(entry_id, str) or not entry_id.strip():
                errors.append(f"{where}: `id` is required")
                continue
            questions = entry.get("questions")
            if not _strings(questions) or not [q for q in questions if q.strip()]:
                errors.append(f"{where}: {entry_id}: `questions` must be a list of one or more phrasings")
                continue
            answer = entry.get("answer")
            if not isinstance(answer, str) or not answer.strip():
                errors.append(f"{where}: {entry_id}: `answer` is empty")
                continue
            url = entry.get("url")
            if url is not None and not isinstance(url, str):
                errors.append(f"{where}: {entry_id}: `url` must be text")
                continue
            tags = entry.get("tags") or []
            if not _strings(tags):
                errors.append(f"{where}: {entry_id}: `tags` must be a list of strings")
                continue
            phrasings = tuple(q.strip() for q in questions if q.strip())
            chunks.append(
                Chunk(entry_id.strip(), "faq", phrasings[0], url, answer.strip(), phrasings, tuple(tags), rel, line)
            )
    return chunks


def _doc_chunks(root: Path, errors: list[str]) -> list[Chunk]:
    docs = _folder(root, "docs", errors)
    chunks: list[Chunk] = []
    # rglob lists linked files but does not descend into linked folders; _read_text checks each file.
    for path in sorted(docs.rglob("*.md")) if docs else []:
        rel = path.relative_to(root).as_posix()
        doc_rel = path.relative_to(docs).as_posix()
        text = _read_text(root, path, rel, errors)
        if text is None:
            continue
        try:
            front, body, offset = split_front_matter(text)
        except ValueError as exc:
            errors.append(f"{rel}:1: {exc}")
            continue
        meta: dict[str, Any] = {}
        if front is not None:
            before = len(errors)
            meta = _parse_yaml(front, rel, errors, lines=False, first_line=2)
            if len(errors) > before:
                continue
            meta = meta or {}
            if not isinstance(meta, dict):
                errors.append(f"{rel}:1: front matter must be a mapping (title, url)")
                continue
            for key in sorted(set(meta) - FRONT_MATTER_KEYS, key=str):
                errors.append(f"{rel}:1: unknown front matter key {key!r} (allowed: title, url)")
            bad = [k for k in sorted(FRONT_MATTER_KEYS) if meta.get(k) is not None and not isinstance(meta[k], str)]
            if bad:
                errors.append(f"{rel}:1: front matter `{bad[0]}` must be text")
                continue
        heading_title, sections = split_sections(body, offset)
        if len(sections) > MAX_SECTIONS_PER_PAGE:
            errors.append(f"{rel}: {len(sections):,} heading sections, over the limit of {MAX_SECTIONS_PER_PAGE:,} "
                          "per page; split the page into several files")
            continue
        page_title = str(meta.get("title") or heading_title or path.stem.replace("-", " ").title())
        url = meta.get("url")
        for section in sections:
            title = page_title if section.heading in (heading_title, page_title) else f"{page_title}: {section.heading}"
            chunks.append(
                Chunk(f"docs/{doc_rel}#{section.slug}", "doc", title, url, section.text, (), (), rel, section.line,
                      section.parents)
            )
    return chunks


def load_knowledge(root: str | Path, cache: ParseCache | None = None) -> KnowledgeBase:
    """Validate the whole folder; raise KnowledgeError listing every problem, or return it all.
    `cache`: FAQ files parsed by an earlier load (only changed files are parsed again)."""
    root = Path(root)
    if not root.is_dir():
        raise KnowledgeError([f"{root}: knowledge folder not found; pass --knowledge DIR"])
    errors: list[str] = []
    scope = _load_scope(root, errors)
    chunks = _faq_chunks(root, errors, cache) + _doc_chunks(root, errors)
    if cache is not None:
        cache.keep_used()
    seen: dict[str, Chunk] = {}
    for chunk in chunks:
        if chunk.id in seen:
            first = seen[chunk.id]
            errors.append(
                f"{chunk.source_file}:{chunk.line}: duplicate id {chunk.id!r} "
                f"(first defined in {first.source_file}:{first.line})"
            )
        else:
            seen[chunk.id] = chunk
    if len(chunks) > MAX_CHUNKS:
        per_file: dict[str, int] = {}
        for chunk in chunks:
            per_file[chunk.source_file] = per_file.get(chunk.source_file, 0) + 1
        largest = sorted(per_file.items(), key=lambda kv: -kv[1])[:3]
        errors.append(f"{root}: {len(chunks):,} FAQ entries and doc sections, over the limit of {MAX_CHUNKS:,} per "
                      "knowledge folder; split it into several knowledge folders (largest files: "
                      + ", ".join(f"{name} {n:,}" for name, n in largest) + ")")
    if not chunks and not errors:
        errors.append(f"{root}: no FAQ entries (faq/*.yaml) or docs (docs/**/*.md) found")
    if errors:
        raise KnowledgeError(errors)
    return KnowledgeBase(root=root.resolve(), scope=scope, chunks=chunks)
