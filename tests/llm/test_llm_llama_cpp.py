"""llama-cpp backend on a tiny GGUF built by the test (greedy output: ' ok' repeated)."""

from __future__ import annotations

import threading
import time

import jinja2
import pytest

from bot.errors import ConfigError
from bot.llm import LLM, GenerationRequest, Generator, load_llm
from tests.llm.fakes import stop_after_first_token
from tests.llm.tiny_models import CHAT_TEMPLATE

pytest.importorskip("llama_cpp")

MESSAGES = [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "How do I reset my password?"}]


class Counting(LLM):
    """Wraps a real backend; counts pieces pulled and notes when its iterator ends."""

    def __init__(self, inner: LLM):
        self.inner, self.name, self.model, self.n_ctx = inner, inner.name, inner.model, inner.n_ctx
        self.pulled = 0
        self.finished = threading.Event()

    def execute(self, request):
        try:
            for piece in self.inner.execute(request):
                self.pulled += 1
                yield piece
        finally:
            self.finished.set()

    def count_tokens(self, text):
        return self.inner.count_tokens(text)


def test_loads_gguf_and_uses_its_chat_template(llama_llm, tiny_gguf):
    assert llama_llm.name == "llama-cpp" and llama_llm.model == tiny_gguf.name
    assert llama_llm.n_ctx == 2048
    assert llama_llm.llama.chat_format == "chat_template.default"  # from tokenizer.chat_template


def test_chat_template_is_applied(llama_llm):
    usage = llama_llm.llama.create_chat_completion(messages=MESSAGES, max_tokens=1, temperature=0)["usage"]
    rendered = jinja2.Template(CHAT_TEMPLATE).render(
        messages=MESSAGES, add_generation_prompt=True, bos_token="<s>", eos_token="</s>")
    assert "<|system|>\nBe brief.</s>\n<|user|>" in rendered
    assert usage["prompt_tokens"] == len(llama_llm.llama.tokenize(rendered.encode(), add_bos=False, special=True))


def test_execute_streams_pieces_quickly(llama_llm):
    t0 = time.perf_counter()
    pieces = list(llama_llm.execute(GenerationRequest(MESSAGES, max_tokens=12, temperature=0.0)))
    assert time.perf_counter() - t0 < 1.0
    assert pieces == [" ok"] * 12


def test_stop_sequences(llama_llm):
    text = "".join(llama_llm.execute(GenerationRequest(MESSAGES, max_tokens=12, temperature=0.0, stop=["ok ok ok"])))
    assert text == " "  # " ok ok ok" holds the stop string from index 1


def test_count_tokens_uses_the_model_tokenizer(llama_llm):
    text = "How do I invite a team member?"
    assert llama_llm.count_tokens(text) == len(llama_llm.llama.tokenize(text.encode(), add_bos=False))
    assert llama_llm.count_tokens("") == 0


def test_load_llm_defaults_to_llama_cpp_when_a_model_is_set(tiny_gguf):
    llm = load_llm({"model": str(tiny_gguf), "n_ctx": 512, "n_threads": 1})
    assert llm.name == "llama-cpp" and llm.n_ctx == 512
    llm.close()


def test_missing_file_and_misplaced_quantization_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="model file not found"):
        load_llm({"model": str(tmp_path / "nope.gguf")})
    with pytest.raises(ConfigError, match="quantization"):
        load_llm({"model": str(tmp_path / "nope.gguf"), "quantization": "4bit"})


def test_hub_reference_goes_through_from_pretrained(monkeypatch, tiny_gguf):
    import llama_cpp

    calls = []

    def fake_from_pretrained(repo_id, filename, **kwargs):
        calls.append((repo_id, filename, kwargs["n_ctx"]))
        return llama_cpp.Llama(model_path=str(tiny_gguf), **kwargs)

    monkeypatch.setattr(llama_cpp.Llama, "from_pretrained", staticmethod(fake_from_pretrained))
    llm = load_llm({"model": "someone/tiny-GGUF:tiny.Q4_K_M.gguf", "n_ctx": 256})
    assert calls == [("someone/tiny-GGUF", "tiny.Q4_K_M.gguf", 256)]
    assert llm.model == "someone/tiny-GGUF:tiny.Q4_K_M.gguf"
    llm.close()


@pytest.mark.asyncio
async def test_generator_streams_and_generates(llama_llm, prompt, passages):
    gen = Generator(llama_llm, prompt, max_tokens=8, temperature=0.0)
    events = [ev async for ev in gen.stream("How do I invite someone?", passages)]
    assert [e.kind for e in events] == ["token"] * 8 + ["done"]
    res = events[-1].result
    assert res.text == "ok ok ok ok ok ok ok ok" and res.tokens == 8 and res.ok
    assert res.ttft_ms is not None and res.ttft_ms < 1000
    assert 0 < res.prompt_tokens <= gen.context_tokens and res.model == "tiny.gguf"
    same = await gen.generate("How do I invite someone?", passages)
    assert same.text == res.text and same.passages == [p.id for p in passages]
    gen.close(close_llm=False)


@pytest.mark.asyncio
async def test_stopping_early_stops_llama(llama_llm, prompt, passages):
    llm = Counting(llama_llm)
    gen = Generator(llm, prompt, max_tokens=1200, temperature=0.0)
    await stop_after_first_token(gen.stream("q", passages))
    assert llm.finished.wait(2)
    assert llm.pulled < 600  # far fewer than the 1200 it was allowed
    gen.close(close_llm=False)
    gen = Generator(llm, prompt, max_tokens=2, timeout_s=2)
    assert (await gen.generate("next", passages)).ok  # the model is free again
    gen.close(close_llm=False)


@pytest.mark.asyncio
async def test_timeout_with_llama(llama_llm, prompt, passages):
    gen = Generator(Counting(llama_llm), prompt, max_tokens=1200, timeout_s=0.002)
    res = await gen.generate("q", passages)
    assert res.reason == "timeout" and res.tokens < 1200
    assert gen.llm.finished.wait(2)
    gen.close(close_llm=False)


def test_prompt_budget_stays_within_the_trained_context(tmp_path):
    from tests.llm.tiny_models import build_tiny_gguf

    llm = load_llm({"model": str(build_tiny_gguf(tmp_path / "short.gguf", n_ctx=256)), "n_ctx": 1024})
    assert llm.n_ctx == 256 and llm.llama.n_ctx() == 1024
    llm.close()
