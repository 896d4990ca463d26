"""The index database: chunks, their vectors and the embedding model's identity, in SQLite.

Vectors are cached by the hash of the embedded text, so only changed text is re-embedded.
A different embedding model (name, dimension or fingerprint) drops every cached vector.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import sqlite_utils
from sqlite_utils.migrations import Migrations

from bot.search.embeddings import Embedder, ModelIdentity, trim_heap
from bot.errors import HelpbotError
from bot.knowledge import Chunk, KnowledgeBase

migrations = Migrations("helpbot.index")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db["meta"].create({"key": str, "value": str}, pk="key")
    db["chunks"].create(
        {
            "id": str,
            "kind": str,
            "title": str,
            "url": str,
            "text": str,
            "questions": str,
            "tags": str,
            "source_file": str,
            "line": int,
            "hash": str,
            "embedding": bytes,
        },
        pk="id",
    )
    db["vectors"].create({"text_hash": str, "embedding": bytes}, pk="text_hash")


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def open_db(path: Path) -> sqlite_utils.Database:
    try:
        conn = sqlite3.connect(str(path), check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        db = sqlite_utils.Database(conn)
        migrations.apply(db)
    except sqlite3.DatabaseError as exc:
        raise HelpbotError(
            f"index database {path} is unreadable ({exc}): delete it and run `helpbot index` to rebuild"
        ) from None
    return db


@dataclass
class IndexStats:
    chunks: int = 0
    embedded_texts: int = 0
    reused_texts: int = 0
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    model_changed: bool = False
    seconds: float = 0.0
    vectors: np.ndarray | None = field(default=None, repr=False)  # every chunk's `embed_texts` rows, in chunk order


def stored_identity(db: sqlite_utils.Database) -> ModelIdentity | None:
    meta = {row["key"]: row["value"] for row in db["meta"].rows}
    if "embedding_model" not in meta:
        return None
    return ModelIdentity(meta["embedding_model"], int(meta["embedding_dimension"]), meta["embedding_fingerprint"])


def set_meta(db: sqlite_utils.Database, **values: str) -> None:
    db["meta"].upsert_all([{"key": k, "value": v} for k, v in values.items()], pk="key")


def get_meta(db: sqlite_utils.Database, key: str) -> str | None:
    row = db.execute("select value from meta where key = ?", [key]).fetchone()
    return row[0] if row else None


def cached_vectors(
    db: sqlite_utils.Database,
    embedder: Embedder,
    texts: list[str],
    progress: Callable[[int, int], None] | None = None,
    batch_size: int = 256,
) -> tuple[np.ndarray, int]:
    """Vectors for `texts`, embedding only those not cached. Returns (vectors, newly embedded count)."""
    hashes = [text_hash(t) for t in texts]
    known: dict[str, bytes] = {}
    unique = list(dict.fromkeys(hashes))
    for i in range(0, len(unique), 500):
        part = unique[i : i + 500]
        marks = ",".join("?" * len(part))
        for h, blob in db.execute(f"select text_hash, embedding from vectors where text_hash in ({marks})", part):
            known[h] = blob
    missing = list(dict.fromkeys(t for t, h in zip(texts, hashes) if h not in known))
    done = 0
    for i in range(0, len(missing), batch_size):
        batch = missing[i : i + batch_size]
        vectors = embedder.embed_batch(batch)
        trim_heap()  # indexing and calibration runs: keeps the first start's peak RSS down (~25 MB)
        rows = [{"text_hash": text_hash(t), "embedding": v.astype(np.float32).tobytes()} for t, v in zip(batch, vectors)]
        db["vectors"].upsert_all(rows, pk="text_hash")
        known.update((r["text_hash"], r["embedding"]) for r in rows)
        done += len(batch)
        if progress:
            progress(done, len(missing))
    dim = embedder.identity.dimension
    out = np.zeros((len(texts), dim), dtype=np.float32)
    for i, h in enumerate(hashes):
        out[i] = np.frombuffer(known[h], dtype=np.float32)
    return out, len(missing)


def build_index(
    db: sqlite_utils.Database,
    kb: KnowledgeBase,
    embedder: Embedder,
    progress: Callable[[int, int], None] | None = None,
) -> IndexStats:
    """Bring the database in line with `kb` in one transaction."""
    started = time.perf_counter()
    stats = IndexStats(chunks=len(kb.chunks))
    identity = embedder.identity
    with db.conn:
        if stored_identity(db) != identity:
            stats.model_changed = stored_identity(db) is not None
            db.execute("delete from vectors")
            db.execute("update chunks set embedding = null")
            set_meta(
                db,
                embedding_model=identity.name,
                embedding_dimension=str(identity.dimension),
                embedding_fingerprint=identity.fingerprint,
            )
        old = {row[0]: row[1] for row in db.execute("select id, hash from chunks")}
        texts = [t for c in kb.chunks for t in c.embed_texts]
        vectors, stats.embedded_texts = cached_vectors(db, embedder, texts, progress)
        stats.vectors = vectors
        stats.reused_texts = len(texts) - stats.embedded_texts
        rows, offset = [], 0
        for chunk in kb.chunks:
            n = len(chunk.embed_texts)
            offset += n
            if old.get(chunk.id) == chunk.content_hash and not stats.model_changed:
                continue
            mean = vectors[offset - n : offset].mean(axis=0)
            (stats.changed if chunk.id in old else stats.added).append(chunk.id)
            rows.append(_chunk_row(chunk, mean / (np.linalg.norm(mean) or 1.0)))
        if rows:
            db["chunks"].upsert_all(rows, pk="id")
        current = {c.id for c in kb.chunks}
        stats.removed = sorted(set(old) - current)
        for chunk_id in stats.removed:
            db.execute("delete from chunks where id = ?", [chunk_id])
        set_meta(db, kb_fingerprint=kb.fingerprint, indexed_at=dt.datetime.now(dt.timezone.utc).isoformat())
    stats.seconds = time.perf_counter() - started
    return stats


def _chunk_row(chunk: Chunk, embedding: np.ndarray) -> dict:
    return {
        "id": chunk.id,
        "kind": chunk.kind,
        "title": chunk.title,
        "url": chunk.url,
        "text": chunk.text,
        "questions": json.dumps(list(chunk.questions), ensure_ascii=False),
        "tags": json.dumps(list(chunk.tags), ensure_ascii=False),
        "source_file": chunk.source_file,
        "line": chunk.line,
        "hash": chunk.content_hash,
        "embedding": embedding.astype(np.float32).tobytes(),
    }
