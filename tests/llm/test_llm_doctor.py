"""doctor: machine facts, GGUF metadata, memory estimate, config checked end to end."""

from __future__ import annotations

import pytest

from bot.llm.doctor import (
    ModelInfo, cpu_threads, estimate_memory, kv_cache_bytes, memory_bytes, read_gguf, read_hf_config, run_doctor,
)
from tests.llm.tiny_models import build_tiny_gguf, spm_vocab


def tiny_params(n_vocab, n_embd=64, n_layer=2, n_ff=128):
    per_layer = 2 * n_embd + 4 * n_embd * n_embd + 3 * n_embd * n_ff
    return 2 * n_vocab * n_embd + n_layer * per_layer + n_embd


def test_machine_facts():
    assert cpu_threads() >= 1
    total, avail = memory_bytes()
    assert 0 < avail <= total


def test_read_gguf_metadata(tiny_gguf):
    info = read_gguf(tiny_gguf)
    assert info.architecture == "llama" and info.quantization == "ALL_F32"
    assert info.n_params == tiny_params(len(spm_vocab()[0]))
    assert (info.context_length, info.n_layers, info.n_kv_heads, info.head_dim) == (2048, 2, 4, 16)
    assert info.weights_bytes == tiny_gguf.stat().st_size


def test_read_quantised_gguf(tmp_path):
    info = read_gguf(build_tiny_gguf(tmp_path / "q8.gguf", quant="q8_0", n_head_kv=2))
    assert info.quantization == "MOSTLY_Q8_0" and info.n_kv_heads == 2
    assert info.weights_bytes < 0.4 * info.n_params * 4  # ~1.06 bytes per weight, not 4


def test_kv_cache_and_memory_estimate():
    # Llama-3-8B-like: 32 layers, 8 KV heads of 128 at 8192 tokens, f16 -> 1 GiB.
    assert kv_cache_bytes(32, 8192, 8, 128) == 1024**3
    info = ModelInfo("llama", 8_000_000_000, "MOSTLY_Q4_K_M", 8192, 32, 8, 128, weights_bytes=4_900_000_000)
    assert estimate_memory(info, 8192) == 4_900_000_000 + 1024**3


def test_read_hf_config(hf_dir):
    info = read_hf_config(hf_dir)
    assert info.architecture == "LlamaForCausalLM" and (info.n_layers, info.n_kv_heads, info.head_dim) == (2, 4, 8)
    assert info.n_params > 0 and info.quantization == "f32"


def checks(results):
    return {c.check: c for c in results}


def test_doctor_on_the_tiny_gguf_generates_one_token(tiny_gguf):
    pytest.importorskip("llama_cpp")
    results = checks(run_doctor({"model": str(tiny_gguf), "n_ctx": 1024}, generate=True))
    assert all(c.ok for c in results.values()), results
    assert {"cpu", "ram", "gpu", "config", "backend", "model", "memory", "generation"} <= set(results)
    assert "llama" in results["model"].detail and "ALL_F32" in results["model"].detail
    assert "1 token" in results["generation"].detail


def test_doctor_flags_problems(tiny_gguf, tmp_path):
    assert not checks(run_doctor({"model": str(tmp_path / "missing.gguf")}))["model"].ok
    bad = checks(run_doctor({"model": str(tiny_gguf), "n_ctx_size": 1}))["config"]
    assert not bad.ok and "'n_ctx_size'" in bad.detail
    over = checks(run_doctor({"model": str(tiny_gguf), "n_ctx": 8192}))["context"]
    assert not over.ok and "8192" in over.detail
    none = checks(run_doctor({}))["config"]
    assert none.ok and "logic-only" in none.detail
    corrupt = tmp_path / "corrupt.gguf"
    corrupt.write_bytes(b"not a gguf")
    assert not checks(run_doctor({"model": str(corrupt)}))["model"].ok


def test_doctor_does_not_generate_unless_asked(tiny_gguf):
    assert "generation" not in checks(run_doctor({"model": str(tiny_gguf), "n_ctx": 512}))
