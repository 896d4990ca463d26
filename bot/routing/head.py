"""The in-scope prior: a small head (one hidden layer) over the message embedding, shipped as numbers.

It was trained (`python -m bot.dev.router_train`) on the development sets in ../shared/data to
tell help-desk questions about a service apart from generic requests. It is one feature among
several: each knowledge base's calibration decides how much weight it gets (possibly none).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HEAD_PATH = Path(__file__).resolve().parent.parent / "data" / "router_head.npz"


@dataclass(frozen=True)
class Head:
    """logit = relu(x @ w1 + b1) @ w2 + b2: "is this a help-desk question about a service?"."""

    w1: np.ndarray  # (dim, hidden)
    b1: np.ndarray  # (hidden,)
    w2: np.ndarray  # (hidden,)
    b2: float
    info: dict

    @property
    def model(self) -> str:
        return self.info.get("embedding_fingerprint", "")

    @property
    def dimension(self) -> int:
        return int(self.w1.shape[0])

    def logit(self, vectors: np.ndarray) -> np.ndarray:
        hidden = np.maximum(np.atleast_2d(vectors) @ self.w1 + self.b1, 0.0)
        return (hidden @ self.w2 + self.b2).astype(np.float32)

    def save(self, path: Path = HEAD_PATH) -> None:
        arrays = {k: getattr(self, k).astype(np.float32) for k in ("w1", "b1", "w2")}
        np.savez_compressed(path, **arrays, b2=np.float32(self.b2), info=json.dumps(self.info))


@functools.lru_cache(maxsize=4)
def load_head(path: Path = HEAD_PATH) -> Head | None:
    if not path.is_file():
        return None
    with np.load(path) as data:
        arrays = {k: data[k].astype(np.float32) for k in ("w1", "b1", "w2")}
        return Head(**arrays, b2=float(data["b2"]), info=json.loads(str(data["info"])))


def head_for(fingerprint: str, dimension: int, path: Path = HEAD_PATH) -> Head | None:
    """The shipped head if it was trained on the same embedding model, else None (feature off)."""
    head = load_head(path)
    if head is None or head.dimension != dimension or head.model != fingerprint:
        return None
    return head
