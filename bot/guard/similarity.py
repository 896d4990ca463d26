"""Shared helpers for the embedding layers: one vector per message, cosine scores."""

from __future__ import annotations

import json
from functools import lru_cache

import numpy as np

from bot.guard.base import ScanContext
from bot.guard.exemplars import DATA_DIR, vectors

CALIBRATION_FILE = DATA_DIR / "calibration.json"


def message_vector(text: str, context: ScanContext) -> np.ndarray | None:
    """The pipeline's (cached) embedding of the text, or None when no embedder is wired."""
    if context.embed is None or not text.strip():
        return None
    return np.asarray(context.embed(text), dtype=np.float32)


def top(set_name: str, vec: np.ndarray, context: ScanContext) -> tuple[float, int]:
    """Highest cosine similarity to a set, and the row it came from."""
    sims = vectors(set_name, context.embed) @ vec
    i = int(np.argmax(sims))
    return float(sims[i]), i


@lru_cache(maxsize=1)
def calibration() -> dict:
    """Fitted numbers written by `python -m bot.dev.guard_train` (empty if absent)."""
    try:
        return json.loads(CALIBRATION_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
