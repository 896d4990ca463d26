"""llama.cpp backend (llama-cpp-python): a local GGUF file or "owner/repo:file.gguf" from the Hub."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from bot.errors import ConfigError
from bot.llm.base import LLM, GenerationRequest, LLMError

HUB_REF = re.compile(r"^(?P<repo>[\w.-]+/[\w.-]+):(?P<file>[^:]+\.gguf)$")


class LlamaCppLLM(LLM):
    name = "llama-cpp"
    settings = {"n_ctx": 4096, "n_threads": 0, "n_gpu_layers": 0}

    def __init__(self, model: str, *, n_ctx: int = 4096, n_threads: int | None = None,
                 n_gpu_layers: int = 0):
        try:
            from llama_cpp import Llama
        except ImportError as exc:
            raise LLMError("backend 'llama-cpp' needs llama-cpp-python: pip install llama-cpp-python") from exc
        # n_threads covers prompt evaluation too (llama.cpp would otherwise use every CPU for it).
        settings = dict(n_ctx=n_ctx, n_threads=n_threads, n_threads_batch=n_threads, n_gpu_layers=n_gpu_layers,
                        verbose=False)
        hub = HUB_REF.match(model)
        try:
            if Path(model).is_file():
                self.llama = Llama(model_path=model, **settings)
            elif hub:
                self.llama = Llama.from_pretrained(hub["repo"], hub["file"], **settings)
            else:
                raise ConfigError(f"[llm] model file not found: {model!r}; give a .gguf path or 'owner/repo:file.gguf'")
        except (ConfigError, LLMError):
            raise
        except Exception as exc:  # noqa: BLE001 - llama.cpp raises bare ValueError/RuntimeError
            raise LLMError(f"llama-cpp could not load {model!r}: {type(exc).__name__}: {exc}") from exc
        self.model = Path(model).name if not hub else model
        # Budget prompts within what the model was trained on, even if the context is larger.
        self.n_ctx = min(self.llama.n_ctx(), self.llama._model.n_ctx_train() or self.llama.n_ctx())

    @classmethod
    def from_config(cls, cfg: dict) -> "LlamaCppLLM":
        if cfg.get("quantization"):
            raise ConfigError("[llm] quantization is for the transformers backend; a GGUF file carries its own")
        keys = ("n_ctx", "n_threads", "n_gpu_layers")
        return cls(cfg["model"], **{k: cfg[k] for k in keys if cfg.get(k) is not None})

    def execute(self, request: GenerationRequest) -> Iterator[str]:
        stream = self.llama.create_chat_completion(
            messages=request.messages, max_tokens=request.max_tokens,
            temperature=request.temperature, stop=request.stop or [], stream=True)
        try:
            for chunk in stream:
                piece = chunk["choices"][0]["delta"].get("content")
                if piece:
                    yield piece
        finally:
            stream.close()

    def count_tokens(self, text: str) -> int:
        return len(self.llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def close(self) -> None:
        self.llama.close()
