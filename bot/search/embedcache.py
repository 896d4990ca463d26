"""Per-message embeddings: each distinct text is embedded once, in as few model passes as possible.

The pipeline prefetches everything it knows it will need in one batch; guard scanners, the router
and retrieval then read from the same cache (`cache(text)`), so a message costs one model pass.
"""

from __future__ import annotations

import numpy as np

from bot.search.embeddings import Embedder


class EmbeddingCache:
    def __init__(self, embedder: Embedder):
        self.embedder = embedder
        self.vectors: dict[str, np.ndarray] = {}
        self.passes = 0  # model calls made through this cache

    def prefetch(self, texts: list[str]) -> None:
        missing = [t for t in dict.fromkeys(texts) if t not in self.vectors]
        if missing:
            self.passes += 1
            self.vectors.update(zip(missing, self.embedder.embed_batch(missing)))

    def __call__(self, text: str) -> np.ndarray:
        if text not in self.vectors:
            self.prefetch([text])
        return self.vectors[text]

    __getitem__ = __call__
