"""Coverage gaps: unanswered questions grouped by meaning, biggest group first.

Greedy leader clustering on unit vectors: questions are taken most frequent first; each joins the
cluster whose centroid is closest if the cosine is at least `threshold`, else starts its own.
"""

from __future__ import annotations

from collections import Counter

import numpy as np


def cluster_questions(items: list[tuple[str, int, str]], embedder, threshold: float = 0.65) -> list[dict]:
    """`items`: (question, times asked, route). Returns clusters sorted by size (times asked)."""
    if not items:
        return []
    items = sorted(items, key=lambda it: -it[1])
    vectors = embedder.embed_batch([text for text, _, _ in items])  # one batch
    sums: list[np.ndarray] = []
    members: list[list[int]] = []
    centroids = np.zeros((0, vectors.shape[1]), dtype=np.float32)
    for i, vec in enumerate(vectors):
        if len(members):
            sims = centroids @ vec
            best = int(np.argmax(sims))
            if sims[best] >= threshold:
                members[best].append(i)
                sums[best] = sums[best] + vec
                centroids[best] = sums[best] / (np.linalg.norm(sums[best]) or 1.0)
                continue
        members.append([i])
        sums.append(vec.copy())
        centroids = np.vstack([centroids, vec[None, :]])
    clusters = []
    for c, idx in enumerate(members):
        closest = max(idx, key=lambda i: (float(centroids[c] @ vectors[i]), items[i][1]))
        routes: Counter = Counter()
        for i in idx:
            routes[items[i][2]] += items[i][1]
        clusters.append(
            {
                "size": sum(items[i][1] for i in idx),
                "distinct": len(idx),
                "representative": items[closest][0],
                "examples": [items[i][0] for i in idx[:3]],
                "routes": dict(routes),
            }
        )
    clusters.sort(key=lambda c: (-c["size"], c["representative"]))
    return clusters
