"""Keyword agreement: BM25 of a message against each entry (title, phrasings, answer, tags).

Kept in numpy (not the search index's FTS table) so calibration can hold one phrasing out of
its entry's counts. Scores are divided by the message's best score, so they lie in [0, 1].
"""

from __future__ import annotations

import math
from collections import Counter

import numpy as np

from bot.search.index import STOPWORDS
from bot.search.passages import grouped
from bot.search.tokenizer import words
from bot.knowledge import Chunk

K1, B = 1.2, 0.75


def tokens(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS]


def entry_text(chunk: Chunk) -> str:
    return " ".join((chunk.title, *chunk.questions, chunk.text, *chunk.tags))


class CountCache:
    """Each entry's word counts by its text, kept across snapshots (a reload counts changed entries
    only); holds the entries of the latest build only. Words are numbers in the cache's vocabulary,
    which starts afresh when it has grown to twice what is in use."""

    def __init__(self):
        self.counts: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.vocabulary: dict[str, int] = {}

    def lookup(self, chunks: list[Chunk]) -> list[tuple[np.ndarray, np.ndarray]]:
        """(word numbers, counts) per chunk."""
        if len(self.vocabulary) > 2 * sum(len(ids) for ids, _ in self.counts.values()) + 10_000:
            self.counts, self.vocabulary = {}, {}
        fresh: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        out = []
        for chunk in chunks:
            text = entry_text(chunk)
            counts = fresh.get(text) or self.counts.get(text)
            if counts is None:
                bag = Counter(tokens(text))
                ids = np.array([self.vocabulary.setdefault(w, len(self.vocabulary)) for w in bag], np.int64)
                counts = (ids, np.array(list(bag.values()), np.float32))
            fresh[text] = counts
            out.append(counts)
        self.counts = fresh
        return out

    def words(self) -> list[str]:
        out = [""] * len(self.vocabulary)
        for word, number in self.vocabulary.items():
            out[number] = word
        return out


class Keywords:
    def __init__(self, chunks: list[Chunk], cache: CountCache | None = None):
        self.n = len(chunks)
        cache = cache or CountCache()
        counts = cache.lookup(chunks)
        ids = np.concatenate([i for i, _ in counts]) if counts else np.zeros(0, np.int64)
        tfs = np.concatenate([f for _, f in counts]) if counts else np.zeros(0, np.float32)
        owner = np.repeat(np.arange(self.n, dtype=np.int64), [len(i) for i, _ in counts])
        self.lengths = np.bincount(owner, tfs, minlength=self.n).astype(np.float32)
        self.avg = float(self.lengths.mean()) if self.n and self.lengths.mean() > 0 else 1.0
        self.postings = {t: (p, tfs[at]) for t, p, at in grouped(ids, owner, cache.words())}
        self.idf = {t: math.log(1 + (self.n - len(p[0]) + 0.5) / (len(p[0]) + 0.5)) for t, p in self.postings.items()}
        self.totals = {t: int(p[1].sum()) for t, p in self.postings.items()}  # uses of each word

    def _term(self, tf, length, idf) -> np.ndarray:
        return idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / self.avg))

    def scores(self, text: str, holdout: tuple[int, str] | None = None, without: int | None = None) -> np.ndarray:
        """BM25 per entry, normalised by the best. `holdout`: (entry, phrasing) removed from that entry;
        `without`: an entry left out entirely (scored 0)."""
        out = np.zeros(self.n, np.float32)
        terms = set(tokens(text))
        if not terms or not self.n:
            return out
        for term in terms:
            if term in self.postings:
                idx, tf = self.postings[term]
                out[idx] += self._term(tf, self.lengths[idx], self.idf[term])
        if holdout is not None:
            entry, phrasing = holdout
            removed = Counter(tokens(phrasing))
            length = self.lengths[entry] - sum(removed.values())
            score = 0.0
            for term in terms:
                if term in self.postings:
                    idx, tf = self.postings[term]
                    hit = np.flatnonzero(idx == entry)
                    left = (float(tf[hit[0]]) if len(hit) else 0.0) - removed.get(term, 0)
                    if left > 0:
                        score += float(self._term(left, length, self.idf[term]))
            out[entry] = score
        if without is not None:
            out[without] = 0.0
        top = out.max()
        return out / top if top > 0 else out

    def matrix(self, texts: list[str], holdouts: list[tuple[int, str]] | None = None,
               without: list[int] | None = None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.n), np.float32)
        rows = [self.scores(t, holdouts[i] if holdouts else None, without[i] if without else None) for i, t in enumerate(texts)]
        return np.stack(rows)
