"""Fit the routing thresholds per knowledge base from labelled data, not by guessing.

Positives: each FAQ phrasing held out in turn (leave-one-out) must find its own entry.
Negatives: generic out-of-scope requests (`bot/data/out_of_scope.txt`, written for helpbot).
Unknown-vs-refuse: generic product questions the knowledge base does not answer
(`bot/data/in_scope_generic.txt`) against the same out-of-scope requests.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from bot.index.search import SearchIndex

DATA = Path(__file__).resolve().parent / "data"
CALIBRATION_VERSION = "1"


@dataclass
class Calibration:
    answer_threshold: float = 0.6
    scope_threshold: float = 0.35
    ambiguity_margin: float = 0.03
    version: str = CALIBRATION_VERSION
    key: str = ""  # kb fingerprint + model fingerprint it was fitted for
    operating_point: dict = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> "Calibration":
        return cls(**json.loads(text))


def read_lines(path: Path) -> list[str]:
    if not path.is_file():
        return []
    return [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]


def best_threshold(pos: np.ndarray, neg: np.ndarray, pos_ok: np.ndarray | None = None) -> tuple[float, float]:
    """Threshold maximising balanced accuracy: positives answered (correctly) vs negatives declined."""
    if pos_ok is None:
        pos_ok = np.ones(len(pos), dtype=bool)
    candidates = np.unique(np.r_[pos, neg])
    best_t, best_acc = 0.5, -1.0
    for t in candidates:
        p = float(np.mean((pos >= t) & pos_ok)) if len(pos) else 0.0
        n = float(np.mean(neg < t)) if len(neg) else 1.0
        acc = 0.5 * (p + n)
        if acc > best_acc:
            best_t, best_acc = float(t), acc
    # Put the threshold midway to the next lower candidate for a margin.
    lower = candidates[candidates < best_t]
    if len(lower):
        best_t = float((best_t + lower.max()) / 2)
    return best_t, best_acc


def leave_one_out(index: SearchIndex) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each FAQ phrasing of an entry with 2+ phrasings: (top score, correct?, top-2 gap)."""
    scores, correct, gaps = [], [], []
    for row, chunk_idx in enumerate(index.row_chunk.tolist()):
        chunk = index.chunks[chunk_idx]
        if chunk.kind != "faq" or len(chunk.questions) < 2:
            continue
        per_chunk = index.chunk_scores(index.rows[row], exclude_rows=np.array([row]))
        order = np.argsort(-per_chunk)[:2]
        scores.append(per_chunk[order[0]])
        correct.append(order[0] == chunk_idx)
        gaps.append(per_chunk[order[0]] - per_chunk[order[1]] if len(order) > 1 else 1.0)
    return np.array(scores, np.float32), np.array(correct, bool), np.array(gaps, np.float32)


def fit(index: SearchIndex, negatives: np.ndarray, unknowns: np.ndarray, key: str = "") -> Calibration:
    """`negatives`/`unknowns` are embeddings of out-of-scope requests / unanswerable product questions."""
    loo_scores, loo_ok, gaps = leave_one_out(index)
    neg_top = np.array([index.chunk_scores(v).max() for v in negatives], np.float32) if len(negatives) else np.zeros(0)
    unk_top = np.array([index.chunk_scores(v).max() for v in unknowns], np.float32) if len(unknowns) else np.zeros(0)
    answer_t, answer_acc = best_threshold(loo_scores, neg_top, loo_ok)
    below_neg, below_unk = neg_top[neg_top < answer_t], unk_top[unk_top < answer_t]
    scope_t, scope_acc = best_threshold(below_unk, below_neg) if len(below_unk) else (answer_t, 1.0)
    scope_t = min(scope_t, answer_t)
    # Ambiguity: the top-2 gap under which held-out answers are wrong too often to answer silently.
    margin = 0.0
    for g in np.arange(0.005, 0.1, 0.005):
        close = gaps < g
        if close.sum() >= 3 and loo_ok[close].mean() < 0.75:
            margin = float(g)
    answered = loo_scores >= answer_t
    point = {
        "heldout_phrasings": int(len(loo_scores)),
        "heldout_answer_rate": round(float(answered.mean()) if len(answered) else 0.0, 4),
        "heldout_right_entry": round(float((answered & loo_ok).mean()) if len(answered) else 0.0, 4),
        "out_of_scope_examples": int(len(neg_top)),
        "out_of_scope_declined": round(float((neg_top < answer_t).mean()) if len(neg_top) else 1.0, 4),
        "out_of_scope_refused": round(float((neg_top < scope_t).mean()) if len(neg_top) else 1.0, 4),
        "unknown_examples": int(len(unk_top)),
        "unknown_not_refused": round(float((unk_top >= scope_t).mean()) if len(unk_top) else 1.0, 4),
        "balanced_accuracy": round(answer_acc, 4),
        "scope_balanced_accuracy": round(scope_acc, 4),
    }
    return Calibration(round(answer_t, 4), round(scope_t, 4), round(margin, 4), key=key, operating_point=point)
