"""Any OpenAI-compatible server (llama.cpp server, vLLM, Ollama, LM Studio...): streamed chat completions.

The API key comes only from the HELPBOT_LLM_API_KEY environment variable, never from config files.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Iterator

from bot.errors import ConfigError
from bot.llm.base import LLM, GenerationRequest, LLMError

API_KEY_ENV = "HELPBOT_LLM_API_KEY"


def chat_url(base_url: str) -> str:
    base = base_url.rstrip("/")
    return f"{base}/chat/completions" if base.endswith("/v1") else f"{base}/v1/chat/completions"


class OpenAILLM(LLM):
    name = "openai"

    def __init__(self, model: str, *, base_url: str, n_ctx: int | None = None):
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"[llm] base_url must start with http:// or https://, got {base_url!r}")
        self.model, self.url, self.n_ctx = model, chat_url(base_url), n_ctx

    @classmethod
    def from_config(cls, cfg: dict) -> "OpenAILLM":
        if not cfg.get("base_url"):
            raise ConfigError("[llm] backend 'openai' needs base_url, e.g. http://127.0.0.1:8080")
        return cls(cfg["model"], base_url=cfg["base_url"], n_ctx=cfg.get("n_ctx"))

    def execute(self, request: GenerationRequest) -> Iterator[str]:
        body = {"model": self.model, "messages": request.messages, "max_tokens": request.max_tokens,
                "temperature": request.temperature, "stream": True}
        if request.stop:
            body["stop"] = request.stop[:4]  # the OpenAI API takes at most 4
        headers = {"Content-Type": "application/json", "Accept": "text/event-stream"}
        if key := os.environ.get(API_KEY_ENV):
            headers["Authorization"] = f"Bearer {key}"
        http = urllib.request.Request(self.url, json.dumps(body).encode(), headers, method="POST")
        try:
            response = urllib.request.urlopen(http, timeout=request.timeout_s)
        except urllib.error.HTTPError as exc:
            detail = exc.read(300).decode("utf-8", "replace")
            raise LLMError(f"{self.url} answered HTTP {exc.code}: {detail}") from None
        except OSError as exc:
            raise LLMError(f"cannot reach {self.url}: {exc}") from None
        with response:
            for raw in response:  # server-sent events: "data: {json}" lines, ending with "data: [DONE]"
                line = raw.decode("utf-8", "replace").strip()
                if not line.startswith("data:"):
                    continue
                data = line[5:].strip()
                if data == "[DONE]":
                    return
                try:
                    chunk = json.loads(data)
                except json.JSONDecodeError:
                    raise LLMError(f"{self.url} sent a malformed event: {data[:100]!r}") from None
                if "error" in chunk:
                    raise LLMError(f"{self.url} reported an error: {str(chunk['error'])[:200]}")
                for choice in chunk.get("choices") or []:
                    if piece := (choice.get("delta") or {}).get("content"):
                        yield piece
