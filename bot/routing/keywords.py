"""Keyword agreement: BM25 of a message against each entry (title, phrasings, answer, tags).

Kept in numpy (not the search index's FTS table) so calibration can hold one phrasing out of
its entry's counts. Scores are divided by the message's best score, so they lie in [0, 1].
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import numpy as np

from bot.search.index import STOPWORDS
from bot.search.tokenizer import words
from bot.knowledge import Chunk

K1, B = 1.2, 0.75


def tokens(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS]


class Keywords:
    def __init__(self, chunks: list[Chunk]):
        self.n = len(chunks)
        counts = [Counter(tokens(" ".join((c.title, *c.questions, c.text, *c.tags)))) for c in chunks]
        self.lengths = np.array([sum(c.values()) for c in counts], np.float32)
        self.avg = float(self.lengths.mean()) if self.n and self.lengths.mean() > 0 else 1.0
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for i, c in enumerate(counts):
            for term, tf in c.items():
                postings[term].append((i, tf))
        self.postings = {t: (np.array([i for i, _ in p]), np.array([f for _, f in p], np.float32)) for t, p in postings.items()}
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
