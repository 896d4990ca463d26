"""Hybrid search over one immutable snapshot of the knowledge: vectors in numpy, keywords in FTS5.

Vectors are searched with a numpy matrix product in memory (see benchmarks/README.md for the
measurements behind that choice). Keyword search uses an in-memory SQLite FTS5 table with BM25.
Rankings are fused with reciprocal rank fusion; the cosine score stays the confidence.
"""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass

import numpy as np

from bot.knowledge import Chunk
from bot.search.tokenizer import fts_text, words

STOPWORDS = frozenset(
    "a an and are as at be by can do does for from how i in is it me my of on or our please "
    "should so that the this to was we what when where which who why will with you your".split()
)


@dataclass
class Hit:
    chunk: Chunk
    score: float  # cosine similarity (best phrasing)
    fused: float  # reciprocal rank fusion score
    vector_rank: int | None = None
    keyword_rank: int | None = None


class SearchIndex:
    """Immutable: a reload builds a new one and swaps it in."""

    def __init__(self, chunks: list[Chunk], row_vectors: np.ndarray, row_chunk: np.ndarray, rrf_k: int = 60):
        self.chunks = chunks
        self.rows = np.ascontiguousarray(row_vectors, dtype=np.float32)
        self.row_chunk = row_chunk.astype(np.int64)
        # Rows of one chunk are contiguous: reduceat takes the max per chunk.
        self._starts = np.flatnonzero(np.r_[True, self.row_chunk[1:] != self.row_chunk[:-1]]) if len(row_chunk) else np.zeros(0, np.int64)
        self.rrf_k = rrf_k
        self.passages = None  # doc sections as passages (bot/search/passages.py), set when the knowledge has docs
        self._lock = threading.Lock()
        self._fts = sqlite3.connect(":memory:", check_same_thread=False)
        self._fts.execute("create virtual table fts using fts5(title, body, tokenize='unicode61 remove_diacritics 2')")
        self._fts.executemany(
            "insert into fts(rowid, title, body) values (?, ?, ?)",
            [(i, fts_text(c.title), fts_text(" ".join((*c.questions, c.text, *c.tags)))) for i, c in enumerate(chunks)],
        )

    @classmethod
    def from_vectors(cls, chunks: list[Chunk], vectors: np.ndarray, rrf_k: int = 60) -> "SearchIndex":
        """`vectors` holds each chunk's `embed_texts` rows, in chunk order."""
        row_chunk = np.repeat(np.arange(len(chunks)), [len(c.embed_texts) for c in chunks])
        return cls(chunks, vectors, row_chunk, rrf_k)

    def chunk_scores(self, query: np.ndarray, exclude_rows: np.ndarray | None = None) -> np.ndarray:
        """Best cosine per chunk."""
        if not len(self.rows):
            return np.zeros(0, dtype=np.float32)
        row_scores = self.rows @ query
        if exclude_rows is not None:
            row_scores[exclude_rows] = -1.0
        return np.maximum.reduceat(row_scores, self._starts)

    def keyword_ranks(self, text: str, limit: int) -> list[int]:
        terms = [w for w in words(text) if w not in STOPWORDS][:32]
        if not terms:
            return []
        query = " OR ".join('"' + t.replace('"', "") + '"' for t in dict.fromkeys(terms))
        with self._lock:
            try:
                rows = self._fts.execute(
                    "select rowid from fts where fts match ? order by bm25(fts, 2.0, 1.0) limit ?", (query, limit)
                ).fetchall()
            except sqlite3.OperationalError:
                return []
        return [r[0] for r in rows]

    def search(
        self,
        query: np.ndarray,
        text: str,
        k: int = 5,
        candidates: int = 20,
        exclude_rows: np.ndarray | None = None,
        scores: np.ndarray | None = None,
    ) -> list[Hit]:
        if scores is None:
            scores = self.chunk_scores(query, exclude_rows)
        n = len(scores)
        if n == 0:
            return []
        top = min(candidates, n)
        vector_order = np.argpartition(-scores, top - 1)[:top]
        vector_order = vector_order[np.argsort(-scores[vector_order])]
        keyword_order = self.keyword_ranks(text, candidates) if text else []
        fused: dict[int, float] = {}
        vranks: dict[int, int] = {}
        kranks: dict[int, int] = {}
        for rank, idx in enumerate(vector_order.tolist()):
            fused[idx] = fused.get(idx, 0.0) + 1.0 / (self.rrf_k + rank + 1)
            vranks[idx] = rank
        for rank, idx in enumerate(keyword_order):
            fused[idx] = fused.get(idx, 0.0) + 1.0 / (self.rrf_k + rank + 1)
            kranks[idx] = rank
        order = sorted(fused, key=lambda i: (-fused[i], -scores[i]))[:k]
        return [Hit(self.chunks[i], float(scores[i]), fused[i], vranks.get(i), kranks.get(i)) for i in order]
