"""Fixtures for bot.llm: tiny models built on the spot (nothing is downloaded) and a scriptable fake LLM."""

from __future__ import annotations

import threading
import time
from typing import Iterator

import pytest

from bot.llm import LLM, GenerationRequest, Passage, PromptTemplate
from tests.llm.tiny_models import build_tiny_gguf, build_tiny_transformers


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


@pytest.fixture
def fake_llm():
    return FakeLLM()


@pytest.fixture(scope="session")
def prompt():
    return PromptTemplate.load("answer")


@pytest.fixture
def passages():
    return [
        Passage("faq:invite-member", "Invite a member", "https://x/faq#invite",
                "Open Settings, then Team, then click Invite and enter their email."),
        Passage("faq:reset-password", "Reset your password", None, "Click 'Forgot password' on the sign-in page."),
        Passage("doc:billing", "Billing", "https://x/docs/billing", "Plans are billed monthly per seat."),
    ]


@pytest.fixture(scope="session")
def tiny_gguf(tmp_path_factory):
    """llama-architecture GGUF; greedy decoding repeats ' ok'."""
    return build_tiny_gguf(tmp_path_factory.mktemp("gguf") / "tiny.gguf", favour="ok")


@pytest.fixture(scope="session")
def llama_llm(tiny_gguf):
    pytest.importorskip("llama_cpp")
    from bot.llm.llama_cpp_backend import LlamaCppLLM

    llm = LlamaCppLLM(str(tiny_gguf), n_ctx=2048, n_threads=1)
    yield llm
    llm.close()


@pytest.fixture(scope="session")
def hf_dir(tmp_path_factory):
    pytest.importorskip("transformers")
    return build_tiny_transformers(tmp_path_factory.mktemp("hf") / "tiny", favour="ok")


@pytest.fixture(scope="session")
def hf_llm(hf_dir):
    from bot.llm.transformers_backend import TransformersLLM

    return TransformersLLM(str(hf_dir), device="cpu")
