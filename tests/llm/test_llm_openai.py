"""openai backend against a loopback server speaking streamed chat completions (SSE)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.llm import GenerationRequest, Generator, LLMError, load_llm
from bot.llm.backends.openai_backend import chat_url
from tests.llm.fakes import stop_after_first_token

MESSAGES = [{"role": "user", "content": "hi"}]


class Server:
    """Modes: "ok" (3 pieces), "slow" (a piece every 0.1 s, forever), "error" (HTTP 401), "bad" (not JSON)."""

    def __init__(self):
        self.mode = "ok"
        self.requests: list[tuple[str, dict, dict]] = []
        self.sent = 0
        self.disconnected = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append((self.path, dict(self.headers), body))
                if outer.mode == "error":
                    self.send_response(401)
                    self.end_headers()
                    self.wfile.write(b'{"error": {"message": "bad key"}}')
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                try:
                    if outer.mode == "bad":
                        self.wfile.write(b"data: {not json\n\n")
                        return
                    self.event({"choices": [{"delta": {"role": "assistant"}}]})
                    pieces = ["Hello", " there", " [faq:a]"] if outer.mode == "ok" else iter(lambda: "x", None)
                    for piece in pieces:
                        if outer.mode == "slow":
                            time.sleep(0.1)
                        self.event({"choices": [{"index": 0, "delta": {"content": piece}}]})
                        outer.sent += 1
                    self.event({"choices": [{"delta": {}, "finish_reason": "stop"}]})
                    self.wfile.write(b"data: [DONE]\n\n")
                except (BrokenPipeError, ConnectionResetError):
                    outer.disconnected.set()

            def event(self, data):
                self.wfile.write(f"data: {json.dumps(data)}\n\n".encode())
                self.wfile.flush()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()


@pytest.fixture
def server():
    s = Server()
    yield s
    s.httpd.shutdown()


@pytest.fixture
def llm(server):
    return load_llm({"backend": "openai", "model": "local-model", "base_url": server.url})


def test_streams_pieces_and_sends_an_openai_request(server, llm, monkeypatch):
    monkeypatch.delenv("HELPBOT_LLM_API_KEY", raising=False)
    pieces = list(llm.execute(GenerationRequest(MESSAGES, max_tokens=7, temperature=0.1, stop=["<<<"])))
    assert pieces == ["Hello", " there", " [faq:a]"]
    path, headers, body = server.requests[0]
    assert path == "/v1/chat/completions"
    assert body == {"model": "local-model", "messages": MESSAGES, "max_tokens": 7, "temperature": 0.1,
                    "stream": True, "stop": ["<<<"]}
    assert "Authorization" not in headers


def test_api_key_only_from_the_environment(server, llm, monkeypatch):
    monkeypatch.setenv("HELPBOT_LLM_API_KEY", "sk-test")
    list(llm.execute(GenerationRequest(MESSAGES)))
    assert server.requests[0][1]["Authorization"] == "Bearer sk-test"


def test_base_url_forms():
    assert chat_url("http://h:1") == chat_url("http://h:1/") == chat_url("http://h:1/v1/") == "http://h:1/v1/chat/completions"


def test_http_error_and_bad_events_are_llm_errors(server, llm):
    server.mode = "error"
    with pytest.raises(LLMError, match="HTTP 401.*bad key"):
        list(llm.execute(GenerationRequest(MESSAGES)))
    server.mode = "bad"
    with pytest.raises(LLMError, match="malformed"):
        list(llm.execute(GenerationRequest(MESSAGES)))


def test_unreachable_server():
    llm = load_llm({"backend": "openai", "model": "m", "base_url": "http://127.0.0.1:9"})
    with pytest.raises(LLMError, match="cannot reach"):
        list(llm.execute(GenerationRequest(MESSAGES, timeout_s=2)))


@pytest.mark.asyncio
async def test_generator_over_http(llm, prompt, passages):
    gen = Generator(llm, prompt)
    res = await gen.generate("q", passages)
    assert res.ok and res.text == "Hello there [faq:a]" and res.tokens == 3
    gen.close(close_llm=False)


@pytest.mark.asyncio
async def test_timeout_and_disconnect_on_a_slow_server(server, llm, prompt, passages):
    server.mode = "slow"
    gen = Generator(llm, prompt, timeout_s=0.35)
    res = await gen.generate("q", passages)
    assert res.reason == "timeout" and 1 <= res.tokens <= 4 and res.text.startswith("x")
    # The worker closed the connection at its next piece, so the server stopped streaming.
    assert await asyncio.to_thread(server.disconnected.wait, 2)
    sent = server.sent
    await asyncio.sleep(0.3)
    assert server.sent == sent
    gen.close(close_llm=False)


@pytest.mark.asyncio
async def test_consumer_stopping_early_closes_the_connection(server, llm, prompt, passages):
    server.mode = "slow"
    gen = Generator(llm, prompt)
    await stop_after_first_token(gen.stream("q", passages))
    assert await asyncio.to_thread(server.disconnected.wait, 2)
    gen.close(close_llm=False)


def test_credentials_in_base_url_go_as_basic_auth_and_never_into_errors(server, monkeypatch):
    monkeypatch.delenv("HELPBOT_LLM_API_KEY", raising=False)
    url = server.url.replace("http://", "http://admin:hunter2@")
    llm = load_llm({"backend": "openai", "model": "m", "base_url": url})
    assert list(llm.execute(GenerationRequest(MESSAGES))) == ["Hello", " there", " [faq:a]"]
    assert server.requests[0][1]["Authorization"] == "Basic YWRtaW46aHVudGVyMg=="
    server.mode = "error"
    with pytest.raises(LLMError) as err:
        list(llm.execute(GenerationRequest(MESSAGES)))
    assert "hunter2" not in str(err.value) and "HTTP 401" in str(err.value)
