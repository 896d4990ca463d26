"""Fixtures for bot.llm: tiny models built on the spot (nothing is downloaded) and a scriptable fake LLM."""

from __future__ import annotations

import pytest

from bot.llm import Passage, PromptTemplate
from tests.llm.fakes import FakeLLM
from tests.llm.tiny_models import build_tiny_gguf, build_tiny_transformers


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
    from bot.llm.backends.llama_cpp_backend import LlamaCppLLM

    llm = LlamaCppLLM(str(tiny_gguf), n_ctx=2048, n_threads=1)
    yield llm
    llm.close()


@pytest.fixture(scope="session")
def hf_dir(tmp_path_factory):
    pytest.importorskip("transformers")
    return build_tiny_transformers(tmp_path_factory.mktemp("hf") / "tiny", favour="ok")


@pytest.fixture(scope="session")
def hf_llm(hf_dir):
    from bot.llm.backends.transformers_backend import TransformersLLM

    return TransformersLLM(str(hf_dir), device="cpu")
