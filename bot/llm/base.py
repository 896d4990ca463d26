"""The model-facing extension point (`LLM.execute`), the backend registry and `load_llm`."""

from __future__ import annotations

import importlib
import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from bot.errors import ConfigError, HelpbotError


class LLMError(HelpbotError):
    """A backend failed at load or generation time; the message says what to fix."""


@dataclass
class GenerationRequest:
    messages: list[dict]  # [{"role": "system"|"user"|"assistant", "content": str}]
    max_tokens: int = 256
    temperature: float = 0.2
    stop: list[str] | None = None
    timeout_s: float = 20.0


class LLM(ABC):
    """Extension point: implement `execute`. It is sync and runs in a worker thread."""

    name: str = "llm"
    model: str = ""  # what was loaded, for the reply's version record
    n_ctx: int | None = None  # context window in tokens, when known

    @abstractmethod
    def execute(self, request: GenerationRequest) -> Iterator[str]:
        """Yield generated text pieces. Closing the iterator must stop generation."""

    def count_tokens(self, text: str) -> int:
        """Tokens in `text` with the model's own tokenizer; this default is a rough estimate."""
        return math.ceil(len(text) / 4)

    def close(self) -> None:
        """Free the model (optional)."""


# Setting -> type. The lead's config loader passes the [llm] table as a dict.
SETTINGS: dict[str, type | tuple[type, ...]] = {
    "backend": str, "model": str, "prompt": str,
    "n_ctx": int, "n_threads": int, "n_gpu_layers": int,
    "max_tokens": int, "temperature": (int, float), "stop": list, "timeout_s": (int, float),
    "base_url": str, "device": str, "quantization": str,
    "context_tokens": int, "queue_size": int, "max_passages": int,
}

# name -> factory(config) -> LLM; a "module:attr" string is imported on first use.
_BACKENDS: dict[str, Callable[[dict], LLM] | str] = {
    "llama-cpp": "bot.llm.llama_cpp_backend:LlamaCppLLM.from_config",
    "transformers": "bot.llm.transformers_backend:TransformersLLM.from_config",
    "openai": "bot.llm.openai_backend:OpenAILLM.from_config",
}


def register_backend(name: str, factory: Callable[[dict], LLM] | str) -> None:
    """Register `factory(config) -> LLM` under a backend name (plugins, test fakes)."""
    _BACKENDS[name] = factory


def backend_names() -> list[str]:
    return sorted([*_BACKENDS, "none"])


def validate_config(config: dict[str, Any]) -> dict[str, Any]:
    """Check names and types of the [llm] settings; return a copy with `backend` resolved."""
    for key, value in config.items():
        if key not in SETTINGS:
            raise ConfigError(f"unknown [llm] setting {key!r}; known settings: {', '.join(sorted(SETTINGS))}")
        want = SETTINGS[key]
        if value is not None and (not isinstance(value, want) or isinstance(value, bool)):
            names = " or ".join(t.__name__ for t in (want if isinstance(want, tuple) else (want,)))
            raise ConfigError(f"[llm] {key} must be {names}, got {value!r}")
    for key in ("n_ctx", "max_tokens", "timeout_s", "context_tokens", "queue_size", "max_passages"):
        if config.get(key) is not None and config[key] <= 0:
            raise ConfigError(f"[llm] {key} must be greater than 0, got {config[key]!r}")
    if config.get("stop") is not None and not all(isinstance(s, str) for s in config["stop"]):
        raise ConfigError("[llm] stop must be a list of strings")
    cfg = dict(config)
    cfg["backend"] = cfg.get("backend") or ("llama-cpp" if cfg.get("model") else "none")
    if cfg["backend"] not in backend_names():
        raise ConfigError(f"unknown [llm] backend {cfg['backend']!r}; choose one of {', '.join(backend_names())}")
    if cfg["backend"] != "none" and not cfg.get("model"):
        raise ConfigError(f"[llm] backend {cfg['backend']!r} needs a model (set [llm] model or HELPBOT_LLM_MODEL)")
    return cfg


def _factory(name: str) -> Callable[[dict], LLM]:
    factory = _BACKENDS[name]
    if isinstance(factory, str):
        module, _, attr = factory.partition(":")
        obj: Any = importlib.import_module(module)
        for part in attr.split("."):
            obj = getattr(obj, part)
        factory = _BACKENDS[name] = obj
    return factory


def load_llm(config: dict[str, Any]) -> LLM | None:
    """Load the configured model, or return None for the logic-only `none` backend."""
    cfg = validate_config(config)
    if cfg["backend"] == "none":
        return None
    return _factory(cfg["backend"])(cfg)
