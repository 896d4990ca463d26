"""Guard test fixtures: the real MiniLM embedder, loaded once per session."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.guard import GuardState, ScanContext, build_input_guard, build_output_guard

SHARED_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"


@pytest.fixture(scope="session")
def embedder():
    from bot.search.embeddings import get_embedder

    return get_embedder()


@pytest.fixture(scope="session")
def embed(embedder):
    """Like the pipeline's: each distinct text embedded once."""
    cache: dict[str, np.ndarray] = {}

    def _embed(text: str) -> np.ndarray:
        if text not in cache:
            cache[text] = embedder.embed_batch([text])[0]
        return cache[text]

    return _embed


@pytest.fixture
def state():
    return GuardState()


@pytest.fixture
def guard(state):
    return build_input_guard(state=state)


@pytest.fixture
def check(guard, embed):
    """Run the input guard as one user on a fresh channel; returns the GuardOutcome."""
    counter = iter(range(10**9))

    def _check(text: str, user: str = "u1", **kw):
        ctx = ScanContext(user_id=user, channel_id=f"c{next(counter)}", embed=embed, **kw)
        return guard.run(text, ctx)

    return _check


@pytest.fixture(scope="session")
def out_guard():
    return build_output_guard()


def blocked(outcome) -> bool:
    return outcome.verdict == "block"
