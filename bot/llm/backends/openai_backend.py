"""Any OpenAI-compatible server (llama.cpp server, vLLM, Ollama, LM Studio...): streamed chat completions.

The API key comes only from the HELPBOT_LLM_API_KEY environment variable, never from config files.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from typing import Iterator

from bot.config import mask_url_credentials
from bot.errors import ConfigError
from bot.llm.base import LLM, GenerationRequest, LLMError

API_KEY_ENV = "HELPBOT_LLM_API_KEY"


def chat_url(base_url: str) -> str:
    base = base_url.rstrip("/")
    return f"{base}/chat/completions" if base.endswith("/v1") else f"{base}/v1/chat/completions"


class OpenAILLM(LLM):
    name = "openai"
    settings = {"n_ctx": 4096, "base_url": ""}

    def __init__(self, model: str, *, base_url: str, n_ctx: int | None = None):
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"[llm] base_url must start with http:// or https://, got {mask_url_credentials(base_url)!r}")
        # `http://user:password@host` is sent as Basic auth; the URL kept (and shown in errors) has no userinfo.
        parts = urllib.parse.urlsplit(base_url)
        self.basic_auth = None
        if parts.username is not None or parts.password is not None:
            pair = f"{urllib.parse.unquote(parts.username or '')}:{urllib.parse.unquote(parts.password or '')}"
            self.basic_auth = "Basic " + base64.b64encode(pair.encode()).decode()
            base_url = urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
        self.model, self.url, self.n_ctx = model, chat_url(base_url), n_ctx
        self.shown_url = mask_url_credentials(self.url)  # query-string keys masked too

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
        elif self.basic_auth:
            headers["Authorization"] = self.basic_auth
        http = urllib.request.Request(self.url, json.dumps(body).encode(), headers, method="POST")
        try:
            response = urllib.request.urlopen(http, timeout=request.timeout_s)
        except urllib.error.HTTPError as exc:
            detail = exc.read(300).decode("utf-8", "replace")
            raise LLMError(f"{self.shown_url} answered HTTP {exc.code}: {detail}") from None
        except OSError as exc:
            raise LLMError(f"cannot reach {self.shown_url}: {exc}") from None
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
                    raise LLMError(f"{self.shown_url} sent a malformed event: {data[:100]!r}") from None
                if "error" in chunk:
                    raise LLMError(f"{self.shown_url} reported an error: {str(chunk['error'])[:200]}")
                for choice in chunk.get("choices") or []:
                    if piece := (choice.get("delta") or {}).get("content"):
                        yield piece
