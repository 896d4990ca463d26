"""transformers backend on a tiny random Llama saved by the test, with its own tokenizer and chat template."""

from __future__ import annotations

import time

import pytest

from bot.errors import ConfigError
from bot.llm import GenerationRequest, Generator, load_llm
from bot.llm.backends.transformers_backend import until_stop

MESSAGES = [{"role": "system", "content": "be brief"}, {"role": "user", "content": "how do I reset my password ?"}]


def test_loads_on_cpu_with_chat_template(hf_llm, hf_dir):
    assert hf_llm.name == "transformers" and hf_llm.device == "cpu" and hf_llm.n_ctx == 512
    text = hf_llm.tokenizer.apply_chat_template(MESSAGES, tokenize=False, add_generation_prompt=True)
    assert text == "<|system|> be brief </s> <|user|> how do I reset my password ? </s> <|assistant|> "


def test_streams_pieces(hf_llm):
    t0 = time.perf_counter()
    pieces = list(hf_llm.execute(GenerationRequest(MESSAGES, max_tokens=6, temperature=0.0)))
    assert time.perf_counter() - t0 < 5
    assert "".join(pieces).split() == ["ok"] * 6 and len(pieces) == 6


def test_sampling_and_stop_strings(hf_llm):
    text = "".join(hf_llm.execute(GenerationRequest(MESSAGES, max_tokens=6, temperature=0.7, stop=[" ok ok"])))
    assert text == "ok"


def test_closing_the_iterator_stops_generate(hf_llm):
    pieces = hf_llm.execute(GenerationRequest(MESSAGES, max_tokens=400, temperature=0.0))
    assert next(pieces).strip() == "ok"
    t0 = time.perf_counter()
    pieces.close()  # sets the stopping criterion and joins the generate() thread
    assert time.perf_counter() - t0 < 2


def test_count_tokens_uses_the_model_tokenizer(hf_llm):
    assert hf_llm.count_tokens("how do I reset my password ?") == 7


@pytest.mark.asyncio
async def test_generator_with_transformers(hf_llm, prompt, passages):
    gen = Generator(hf_llm, prompt, max_tokens=4, temperature=0.0, context_tokens=4096)
    events = [ev async for ev in gen.stream("how do I invite ?", passages)]
    assert [e.kind for e in events] == ["token"] * 4 + ["done"]
    assert events[-1].result.text.split() == ["ok"] * 4
    gen.close(close_llm=False)


def test_load_llm_transformers(hf_dir):
    llm = load_llm({"backend": "transformers", "model": str(hf_dir), "device": "cpu", "n_ctx": 256})
    assert llm.n_ctx == 256


def test_bitsandbytes_needs_a_gpu(hf_dir):
    with pytest.raises(ConfigError, match="(CUDA GPU|bitsandbytes)"):
        load_llm({"backend": "transformers", "model": str(hf_dir), "device": "cpu", "quantization": "4bit"})
    with pytest.raises(ConfigError, match="quantization must be one of"):
        load_llm({"backend": "transformers", "model": str(hf_dir), "quantization": "3bit"})
    with pytest.raises(ConfigError, match="not a gptq model"):
        load_llm({"backend": "transformers", "model": str(hf_dir), "quantization": "gptq", "device": "cpu"})


def test_missing_model_is_a_clear_error(tmp_path):
    from bot.llm import LLMError

    with pytest.raises(LLMError, match="could not load"):
        load_llm({"backend": "transformers", "model": str(tmp_path / "nope"), "device": "cpu"})


def test_until_stop_holds_back_partial_matches():
    assert "".join(until_stop(iter(["Hel", "lo <", "<<", "END"]), ["<<<"])) == "Hello "
    assert list(until_stop(iter(["a", "b"]), [])) == ["a", "b"]
    assert "".join(until_stop(iter(["ab", "c<", "<"]), ["<<<"])) == "abc<<"
