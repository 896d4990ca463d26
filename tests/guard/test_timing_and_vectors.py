import statistics
import time

import numpy as np

from bot.guard import ScanContext, build_input_guard
from bot.guard.exemplars import SETS, get_set
from tests.guard.test_false_positives import SERVICE_QUESTIONS


def test_shipped_exemplar_vectors_match_the_embedder(embedder):
    for name in SETS:
        es = get_set(name)
        assert es.matrix is not None, f"{name}: run python -m bot.guard.train"
        fresh = embedder.embed_batch(es.texts[:5])
        assert np.all(np.sum(fresh * es.matrix[:5], axis=1) > 0.98)


def test_input_guard_cost_beyond_embedding(embedder):
    """p50 of the whole input guard with the message embedding already cached (goal: <= 5 ms)."""
    texts = [f"{q} (ticket {i})" for i, q in enumerate(SERVICE_QUESTIONS * 4)]
    table = dict(zip(texts, embedder.embed_batch(texts)))
    guard = build_input_guard()
    times = []
    for i, t in enumerate(texts):
        ctx = ScanContext(user_id=f"u{i}", channel_id=f"c{i}", embed=table.__getitem__)
        start = time.perf_counter()
        guard.run(t, ctx)
        times.append((time.perf_counter() - start) * 1000)
    assert statistics.median(times) <= 5.0, statistics.median(times)
