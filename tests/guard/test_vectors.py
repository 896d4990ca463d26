import numpy as np

from bot.guard.exemplars import SETS, get_set


def test_shipped_exemplar_vectors_match_the_embedder(embedder):
    for name in SETS:
        es = get_set(name)
        assert es.matrix is not None, f"{name}: run python -m bot.dev.guard_train"
        fresh = embedder.embed_batch(es.texts[:5])
        assert np.all(np.sum(fresh * es.matrix[:5], axis=1) > 0.98)
