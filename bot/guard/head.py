"""The injection head: a small classifier over the message embedding and its character n-grams.

Stored as plain numbers in bot/data/guard/injection_head.npz (re-made by
`python -m bot.dev.guard_train`). The embedding part is 384 -> hidden (ReLU) -> 1, or a plain
linear layer when hidden = 0; the n-gram part (see ngrams.py) is linear and adds to the logit.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.guard.exemplars import DATA_DIR
from bot.guard.ngrams import BITS, char_ngrams

HEAD_FILE = DATA_DIR / "injection_head.npz"


@dataclass(frozen=True)
class Head:
    w1: np.ndarray  # (dim, hidden) or (dim, 1) for logistic regression
    b1: np.ndarray
    w2: np.ndarray | None = None  # (hidden, 1)
    b2: np.ndarray | None = None
    grams: np.ndarray | None = None  # (2**bits,) weight per hashed n-gram bucket

    @property
    def gram_bits(self) -> int:
        return int(np.log2(len(self.grams))) if self.grams is not None else BITS

    def logits(self, x: np.ndarray, texts: list[str] | None = None) -> np.ndarray:
        """Logits for embeddings `x` ((dim,) or (n, dim)); `texts` (one per row) adds the n-gram part."""
        h = x @ self.w1 + self.b1
        out = h[..., 0] if self.w2 is None else (np.maximum(h, 0.0) @ self.w2 + self.b2)[..., 0]
        if self.grams is not None and texts is not None:
            extra = np.array([self._gram_logit(t) for t in texts], dtype=np.float32)
            out = out + (extra[0] if np.ndim(out) == 0 else extra)
        return out

    def prob(self, x: np.ndarray, texts: list[str] | None = None) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-np.clip(self.logits(x, texts), -40, 40)))

    def _gram_logit(self, text: str) -> float:
        ids, values = char_ngrams(text, bits=self.gram_bits)
        return float(self.grams[ids] @ values)

    def save(self, path: Path, **meta: str) -> None:
        arrays = {"w1": self.w1, "b1": self.b1}
        if self.w2 is not None:
            arrays.update(w2=self.w2, b2=self.b2)
        if self.grams is not None:
            arrays["grams"] = self.grams
        arrays.update({f"meta_{k}": np.array(v) for k, v in meta.items()})
        np.savez_compressed(path, **{k: (v.astype(np.float32) if v.dtype.kind == "f" else v) for k, v in arrays.items()})


@lru_cache(maxsize=4)
def load_head(path: str | None = None) -> Head | None:
    p = Path(path) if path else HEAD_FILE
    if not p.exists():
        return None
    with np.load(p) as z:
        parts = {k: z[k] for k in ("w1", "b1", "w2", "b2", "grams") if k in z.files}
    return Head(**parts)
