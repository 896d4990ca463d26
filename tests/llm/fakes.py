"""Test doubles for bot.llm: a scriptable fake model and a consumer that walks away early."""

from __future__ import annotations

import threading
import time
from typing import Iterator

from bot.llm import LLM, GenerationRequest


class FakeLLM(LLM):
    """Yields `pieces` (`delay` s apart); `hang` blocks before the first piece until released.

    Records each request, how many pieces were pulled and whether the iterator was closed.
    """

    name = "fake"
    model = "fake-model"

    def __init__(self, pieces=("Hello", " world", " [faq:a]"), delay=0.0, hang=False, fail=None, n_ctx=None):
        self.pieces, self.delay, self.fail, self.n_ctx = list(pieces), delay, fail, n_ctx
        self.release = threading.Event()
        if not hang:
            self.release.set()
        self.requests: list[GenerationRequest] = []
        self.pulled = 0
        self.finished = threading.Event()  # set when an execute() iterator ends, however it ends

    def execute(self, request: GenerationRequest) -> Iterator[str]:
        self.requests.append(request)
        try:
            self.release.wait(30)
            if self.fail:
                raise self.fail
            for piece in self.pieces:
                time.sleep(self.delay)
                self.pulled += 1
                yield piece
        finally:
            self.finished.set()

    def count_tokens(self, text: str) -> int:
        return len(text.split())  # one token per word: easy budgets in tests


async def stop_after_first_token(stream) -> None:
    """A consumer that walks away after the first token, closing the stream as callers should."""
    async for ev in stream:
        if ev.kind == "token":
            break
    await stream.aclose()
