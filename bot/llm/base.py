"""The model-facing extension point (`LLM.execute`), the backends found by name and `load_llm`."""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, ClassVar, Iterator

from bot import plugins
from bot.config import schema
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
    """Extension point: implement `execute`. It is sync and runs in a worker thread.

    A backend sets `name` (its `[llm] backend` value) and declares its own settings once, in
    `settings` (key -> default; the type follows the default); they join the [llm] config schema."""

    name: str = "llm"
    settings: ClassVar[dict[str, Any]] = {}
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

    @classmethod
    def from_config(cls, cfg: dict[str, Any]) -> "LLM":
        """Build from the validated [llm] settings (`cfg`); by default `cls(cfg)`."""
        return cls(cfg)


def backends() -> dict[str, type[LLM]]:
    """name -> LLM class: the built-ins (bot/llm/backends/), then `helpbot.llm_backends` entry points."""
    found = plugins.load("llm_backends")
    for name, cls in found.items():
        if not (isinstance(cls, type) and issubclass(cls, LLM)):
            raise ConfigError(f"LLM backend {name!r} ({cls!r}) is not a bot.llm.LLM subclass")
    return found


def backend_names() -> list[str]:
    return sorted([*backends(), "none"])


def _type_name(default: Any) -> str:
    return "int or float" if isinstance(default, float) else type(default).__name__


def validate_config(config: dict[str, Any]) -> dict[str, Any]:
    """Check names and types of the [llm] settings against the config schema (every backend's
    declared settings included); return a copy with `backend` resolved."""
    known = schema()["llm"]
    for key, value in config.items():
        if key not in known:
            raise ConfigError(f"unknown [llm] setting {key!r}; known settings: {', '.join(sorted(known))}")
        default = known[key]
        want = (int, float) if isinstance(default, float) else type(default)
        if value is not None and (not isinstance(value, want) or isinstance(value, bool) != isinstance(default, bool)):
            raise ConfigError(f"[llm] {key} must be {_type_name(default)}, got {value!r}")
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


def load_llm(config: dict[str, Any]) -> LLM | None:
    """Load the configured model, or return None for the logic-only `none` backend."""
    cfg = validate_config(config)
    if cfg["backend"] == "none":
        return None
    return backends()[cfg["backend"]].from_config(cfg)
