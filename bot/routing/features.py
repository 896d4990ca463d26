"""Scores of a message against every knowledge entry, and the few numbers the router decides on.

Entry score = alpha * centroid cosine + (1 - alpha) * best-phrasing cosine + beta * keyword
agreement (BM25, normalised). Centroids (the mean of an entry's phrasings) are robust to one odd
phrasing; the best phrasing catches exact matches; keywords catch names and rare terms. alpha
and beta are fitted per knowledge base (see bot/routing/calibrate.py). Features of a message:
  s1   best entry score           gap  s1 minus the runner-up's score
  own  s1 minus the best entry's tightness (how close its own phrasings are to each other):
       an entry whose phrasings all say the same thing needs a closer match than a broad one
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.search.index import SearchIndex
from bot.routing.keywords import CountCache, Keywords

FEATURES = ("s1", "gap", "own")


class Geometry:
    """Per-snapshot arrays for scoring: rows, per-entry sums and centroid norms."""

    def __init__(self, index: SearchIndex, counts: CountCache | None = None):
        """`counts`: word counts of entries an earlier snapshot had (a reload recounts changed ones only)."""
        self.index = index
        self.rows = index.rows
        self.row_chunk = index.row_chunk
        self.n = len(index.chunks)
        if len(self.rows):
            self.starts = np.flatnonzero(np.r_[True, self.row_chunk[1:] != self.row_chunk[:-1]])  # rows of an entry are contiguous
            self.sums = np.add.reduceat(self.rows, self.starts, axis=0)
        else:
            self.starts = np.zeros(0, np.int64)
            self.sums = np.zeros((0, self.rows.shape[1] if self.rows.ndim == 2 else 1), np.float32)
        self.sizes = np.bincount(self.row_chunk, minlength=self.n) if self.n else np.zeros(0, np.int64)
        self.norms = np.linalg.norm(self.sums, axis=1) if self.n else np.zeros(0, np.float32)
        self.norms[self.norms == 0] = 1.0
        self.keywords = Keywords(index.chunks, counts)
        self.row_texts = [t for c in index.chunks for t in c.embed_texts]
        self.tightness = self._tightness()

    def _tightness(self) -> np.ndarray:
        """Per entry: the mean cosine of each phrasing to the centroid of its others (how close an
        entry's own phrasings are); entries with one phrasing get the median of the others."""
        out = np.zeros(self.n, np.float32)
        if not self.n:
            return out
        many = np.flatnonzero(self.sizes[self.row_chunk] > 1)  # rows of entries with other phrasings
        rows, owner = self.rows[many], self.row_chunk[many]
        own = self.sums[owner]
        rest = np.linalg.norm(own - rows, axis=1)
        loo = ((rows * own).sum(1) - 1.0) / np.where(rest > 1e-6, rest, 1.0)
        sums = np.bincount(owner, loo, minlength=self.n)
        counts = np.bincount(owner, minlength=self.n)
        has = counts > 0
        out[has] = sums[has] / counts[has]
        out[~has] = float(np.median(out[has])) if has.any() else 0.0
        return out

    def entry_scores(
        self,
        queries: np.ndarray,
        alpha: float,
        holdout_rows: np.ndarray | None = None,
        texts: list[str] | None = None,
        beta: float = 0.0,
        without: list[int] | None = None,
    ) -> np.ndarray:
        """(n_queries, n_entries) scores. `holdout_rows[i]`: a row hidden from query i (leave-one-out).

        `texts` (the queries' words) are needed when `beta` > 0. `without[i]`: an entry hidden whole from
        query i's keyword scores (the caller masks its column)."""
        q = np.atleast_2d(queries).astype(np.float32)
        if not self.n:
            return np.zeros((len(q), 0), np.float32)
        row_scores = q @ self.rows.T
        if alpha == 0.0:  # best phrasing only: the centroid term is not needed
            best_row = self._best_rows(row_scores, holdout_rows)
            return self._with_keywords(best_row, holdout_rows, texts, beta, without)
        centroid = (q @ self.sums.T) / self.norms
        if holdout_rows is not None:
            idx = np.arange(len(q))
            own = self.row_chunk[holdout_rows]
            self_score = row_scores[idx, holdout_rows].copy()
            row_scores[idx, holdout_rows] = -2.0
            rest = self.sums[own] - self.rows[holdout_rows]
            rest_norm = np.linalg.norm(rest, axis=1)
            alone = self.sizes[own] <= 1  # an entry with one row has nothing left to match
            loo = (centroid[idx, own] * self.norms[own] - self_score) / np.where(alone, 1.0, rest_norm)
            centroid[idx, own] = np.where(alone, -2.0, loo)
        best_row = np.maximum.reduceat(row_scores, self.starts, axis=1)
        return self._with_keywords(alpha * centroid + (1.0 - alpha) * best_row, holdout_rows, texts, beta, without)

    def _best_rows(self, row_scores: np.ndarray, holdout_rows: np.ndarray | None) -> np.ndarray:
        if holdout_rows is not None:
            idx = np.arange(len(row_scores))
            row_scores[idx, holdout_rows] = -2.0
        return np.maximum.reduceat(row_scores, self.starts, axis=1)

    def _with_keywords(self, scores, holdout_rows, texts, beta, without) -> np.ndarray:
        if beta and texts is not None:
            holdouts = None
            if holdout_rows is not None:
                holdouts = [(int(self.row_chunk[r]), self.row_texts[r]) for r in holdout_rows]
            scores = scores + beta * self.keywords.matrix(texts, holdouts, without)
        return scores


@dataclass
class Ranked:
    """The top of one message's ranking."""

    order: np.ndarray  # entry indices, best first (top few)
    scores: np.ndarray  # their scores

    @property
    def s1(self) -> float:
        return float(self.scores[0]) if len(self.scores) else 0.0

    @property
    def gap(self) -> float:
        return float(self.scores[0] - self.scores[1]) if len(self.scores) > 1 else 1.0


def rank(scores: np.ndarray, top: int = 5) -> Ranked:
    n = len(scores)
    if n == 0:
        return Ranked(np.zeros(0, np.int64), np.zeros(0, np.float32))
    k = min(top, n)
    order = np.argpartition(-scores, k - 1)[:k]
    order = order[np.argsort(-scores[order])]
    return Ranked(order, scores[order])


def feature_matrix(
    geometry: Geometry,
    scores: np.ndarray,
    without: list[int] | None = None,
) -> np.ndarray:
    """Features of many messages at once: (n, len(FEATURES)), see the module docstring.
    `without[i]`: an entry hidden whole from message i (its scores are ignored)."""
    n = len(scores)
    if scores.shape[1] == 0:
        return np.c_[np.zeros(n), np.ones(n), np.zeros(n)].astype(np.float32)
    masked = scores.astype(np.float32, copy=True)
    if without is not None:
        masked[np.arange(n), without] = -np.inf
    if scores.shape[1] == 1:
        top, s1, s2 = np.zeros(n, np.int64), masked[:, 0], masked[:, 0] - 1.0
    else:
        idx = np.arange(n)
        top = masked.argmax(1)
        s1 = masked[idx, top].copy()
        masked[idx, top] = -np.inf
        s2 = masked.max(1)
        s2 = np.where(np.isfinite(s2), s2, s1 - 1.0)  # no runner-up left (one entry hidden): as for one entry
    return np.c_[s1, s1 - s2, s1 - geometry.tightness[top]].astype(np.float32)
