"""`helpbot doctor` logic: machine, model file and LLM config checks. Pure functions + `run_doctor`."""

from __future__ import annotations

import importlib.util
import json
import os
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from bot.config import mask_url_credentials
from bot.errors import HelpbotError
from bot.llm.base import GenerationRequest, load_llm, validate_config

GIB = 1024**3
# Weight bytes per parameter when loaded.
BYTES_PER_PARAM = {"f32": 4.0, "f16": 2.0, "bf16": 2.0, "8bit": 1.0, "4bit": 0.6}


class Check(NamedTuple):
    check: str
    ok: bool
    detail: str


def cpu_threads() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def memory_bytes() -> tuple[int, int]:
    """(total, available) RAM in bytes."""
    try:
        info = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines() if ":" in line)
        kib = {k: int(v.split()[0]) * 1024 for k, v in info.items() if k in ("MemTotal", "MemAvailable")}
        return kib["MemTotal"], kib.get("MemAvailable", kib["MemTotal"])
    except (OSError, KeyError, ValueError):
        page = os.sysconf("SC_PAGE_SIZE")
        return page * os.sysconf("SC_PHYS_PAGES"), page * os.sysconf("SC_AVPHYS_PAGES")


def gpus() -> list[tuple[str, int, int]]:
    """(name, free bytes, total bytes) per CUDA GPU that torch sees; [] without torch or GPU."""
    if importlib.util.find_spec("torch") is None:
        return []
    import torch

    if not torch.cuda.is_available():
        return []
    found = []
    for i in range(torch.cuda.device_count()):
        free, total = torch.cuda.mem_get_info(i)
        found.append((torch.cuda.get_device_name(i), int(free), int(total)))
    return found


@dataclass(frozen=True)
class ModelInfo:
    architecture: str
    n_params: int
    quantization: str  # file type, e.g. "MOSTLY_Q4_K_M", or the dominant tensor type
    context_length: int
    n_layers: int
    n_kv_heads: int
    head_dim: int
    weights_bytes: int


def read_gguf(path: str | Path) -> ModelInfo:
    import gguf

    reader = gguf.GGUFReader(str(path))

    def field(key, default=None):
        f = reader.fields.get(key)
        if f is None:
            return default
        value = f.contents()
        return max(value) if isinstance(value, list) else value  # per-layer arrays: take the largest

    arch = field("general.architecture", "unknown")
    n_head = field(f"{arch}.attention.head_count", 1) or 1
    n_embd = field(f"{arch}.embedding_length", 0)
    by_type = Counter()
    for t in reader.tensors:
        by_type[t.tensor_type.name] += int(t.n_elements)
    ftype = field("general.file_type")
    try:
        quant = gguf.LlamaFileType(ftype).name if ftype is not None else by_type.most_common(1)[0][0]
    except ValueError:
        quant = by_type.most_common(1)[0][0] if by_type else "unknown"
    return ModelInfo(
        architecture=arch, n_params=sum(by_type.values()), quantization=quant,
        context_length=field(f"{arch}.context_length", 0), n_layers=field(f"{arch}.block_count", 0),
        n_kv_heads=field(f"{arch}.attention.head_count_kv", n_head) or n_head,
        head_dim=field(f"{arch}.attention.key_length", n_embd // n_head),
        weights_bytes=Path(path).stat().st_size)


def read_hf_config(folder: str | Path, quantization: str = "none", on_gpu: bool = False) -> ModelInfo:
    """Estimate from a transformers folder: params from weight file sizes and the stored dtype."""
    folder = Path(folder)
    cfg = json.loads((folder / "config.json").read_text())
    stored = str(cfg.get("torch_dtype") or cfg.get("dtype") or "float32")
    files = [*folder.glob("*.safetensors"), *folder.glob("*.bin")]
    n_params = int(sum(f.stat().st_size for f in files) / (4 if "32" in stored else 2))
    loaded = quantization if quantization in ("4bit", "8bit") else ("f16" if on_gpu else "f32")
    n_head = cfg.get("num_attention_heads", 1)
    return ModelInfo(
        architecture=(cfg.get("architectures") or [cfg.get("model_type", "unknown")])[0], n_params=n_params,
        quantization=loaded, context_length=cfg.get("max_position_embeddings", 0),
        n_layers=cfg.get("num_hidden_layers", 0), n_kv_heads=cfg.get("num_key_value_heads", n_head),
        head_dim=cfg.get("head_dim") or cfg.get("hidden_size", 0) // n_head,
        weights_bytes=int(n_params * BYTES_PER_PARAM[loaded]))


def kv_cache_bytes(n_layers: int, n_ctx: int, n_kv_heads: int, head_dim: int, bytes_per: int = 2) -> int:
    """Keys and values for every layer and position."""
    return 2 * n_layers * n_ctx * n_kv_heads * head_dim * bytes_per


def estimate_memory(info: ModelInfo, n_ctx: int) -> int:
    return info.weights_bytes + kv_cache_bytes(info.n_layers, n_ctx, info.n_kv_heads, info.head_dim)


def _count(n: float) -> str:
    for unit, size in (("B", 1e9), ("M", 1e6), ("K", 1e3)):
        if n >= size:
            return f"{n / size:.3g}{unit}"
    return str(int(n))


def _gib(n: float) -> str:
    return f"{n / GIB:.2f} GiB"


def _machine() -> list[Check]:
    total, avail = memory_bytes()
    found = gpus()
    gpu = "; ".join(f"{name}: {_gib(free)} free of {_gib(tot)}" for name, free, tot in found)
    return [Check("cpu", True, f"{cpu_threads()} threads"),
            Check("ram", True, f"{_gib(avail)} available of {_gib(total)}"),
            Check("gpu", True, gpu or "none seen (CPU only)")]


def _backend_ready(backend: str) -> Check:
    needs = {"llama-cpp": ["llama_cpp"], "transformers": ["transformers", "torch"]}.get(backend, [])
    missing = [m for m in needs if importlib.util.find_spec(m) is None]
    hint = {"llama_cpp": "llama-cpp-python"}
    if missing:
        return Check("backend", False, f"{backend}: pip install {' '.join(hint.get(m, m) for m in missing)}")
    return Check("backend", True, backend)


def _model_checks(cfg: dict) -> list[Check]:
    backend, model = cfg["backend"], cfg["model"]
    if backend == "openai":
        return [Check("model", True, f"{model} at {mask_url_credentials(cfg.get('base_url') or '')}")]
    path = Path(model)
    if not path.exists():
        ok = ("/" in model and not path.is_absolute() and not model.startswith("."))
        return [Check("model", ok, f"{model}: not a local path; will be fetched from the Hugging Face Hub"
                      if ok else f"model not found: {model}")]
    found = gpus()
    on_gpu = bool(found) and (cfg.get("n_gpu_layers", 0) != 0 if backend == "llama-cpp"
                              else cfg.get("device") in (None, "auto", "cuda"))
    try:
        info = (read_gguf(path) if backend == "llama-cpp"
                else read_hf_config(path, cfg.get("quantization") or "none", on_gpu))
    except Exception as exc:  # noqa: BLE001 - a corrupt or foreign file
        return [Check("model", False, f"cannot read {model}: {type(exc).__name__}: {exc}")]
    # Unset n_ctx: llama-cpp makes a 4096-token context but budgets prompts within the trained one.
    n_ctx = cfg.get("n_ctx") or min(4096, info.context_length or 4096)
    need = estimate_memory(info, n_ctx)
    checks = [Check("model", True, f"{info.architecture}, {_count(info.n_params)} params, "
                    f"{info.quantization}, trained context {info.context_length}")]
    if info.context_length and n_ctx > info.context_length:
        checks.append(Check("context", False, f"n_ctx {n_ctx} exceeds the model's trained context {info.context_length}"))
    if on_gpu:
        free = found[0][1]
        checks.append(Check("memory", need <= free, f"needs ~{_gib(need)} (weights + KV cache at n_ctx {n_ctx}); "
                            f"{_gib(free)} VRAM free on {found[0][0]}"))
    else:
        avail = memory_bytes()[1]
        checks.append(Check("memory", need <= avail, f"needs ~{_gib(need)} (weights + KV cache at n_ctx {n_ctx}); "
                            f"{_gib(avail)} RAM available"))
    return checks


def _generation_check(cfg: dict) -> Check:
    try:
        t0 = time.perf_counter()
        llm = load_llm(cfg)
        t1 = time.perf_counter()
        pieces = llm.execute(GenerationRequest([{"role": "user", "content": "Say OK."}], max_tokens=1,
                                               temperature=0.0, timeout_s=cfg.get("timeout_s") or 60))
        text = "".join(pieces)
        t2 = time.perf_counter()
        llm.close()
    except Exception as exc:  # noqa: BLE001 - report, never crash the doctor
        return Check("generation", False, f"{type(exc).__name__}: {exc}")
    return Check("generation", True, f"loaded in {t1 - t0:.1f}s, 1 token in {(t2 - t1) * 1000:.0f} ms ({text!r})")


def run_doctor(config: dict, generate: bool = False) -> list[Check]:
    """Machine facts, then the [llm] config end to end; `generate` also loads the model and makes 1 token."""
    checks = _machine()
    try:
        cfg = validate_config(config)
    except HelpbotError as exc:
        return checks + [Check("config", False, str(exc))]
    if cfg["backend"] == "none":
        return checks + [Check("config", True, "backend none: logic-only answers, no model")]
    checks += [Check("config", True, f"backend {cfg['backend']}, model {cfg['model']}"), _backend_ready(cfg["backend"])]
    checks += _model_checks(cfg)
    if generate and all(c.ok for c in checks):
        checks.append(_generation_check(cfg))
    return checks
