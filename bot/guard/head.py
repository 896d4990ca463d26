"""The injection head: a small classifier over the 384-d MiniLM sentence embedding.

Stored as plain numbers in bot/data/guard/injection_head.npz (re-made by
`python -m bot.guard.train`). Two layers: 384 -> hidden (ReLU) -> 1 (sigmoid);
hidden = 0 means plain logistic regression.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.guard.exemplars import DATA_DIR

HEAD_FILE = DATA_DIR / "injection_head.npz"


@dataclass(frozen=True)
class Head:
    w1: np.ndarray  # (dim, hidden) or (dim, 1) for logistic regression
    b1: np.ndarray
    w2: np.ndarray | None  # (hidden, 1)
    b2: np.ndarray | None

    def logits(self, x: np.ndarray) -> np.ndarray:
        h = x @ self.w1 + self.b1
        if self.w2 is None:
            return h[..., 0]
        return (np.maximum(h, 0.0) @ self.w2 + self.b2)[..., 0]

    def prob(self, x: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-np.clip(self.logits(x), -40, 40)))

    def save(self, path: Path, **meta: str) -> None:
        arrays = {"w1": self.w1, "b1": self.b1}
        if self.w2 is not None:
            arrays.update(w2=self.w2, b2=self.b2)
        arrays.update({f"meta_{k}": np.array(v) for k, v in meta.items()})
        np.savez_compressed(path, **{k: (v.astype(np.float32) if v.dtype.kind == "f" else v) for k, v in arrays.items()})


@lru_cache(maxsize=4)
def load_head(path: str | None = None) -> Head | None:
    p = Path(path) if path else HEAD_FILE
    if not p.exists():
        return None
    with np.load(p) as z:
        return Head(z["w1"], z["b1"], z["w2"] if "w2" in z.files else None, z["b2"] if "b2" in z.files else None)
