"""Test doubles for bot.llm: a scriptable fake model, a model that echoes its first passage with a
citation, a consumer that walks away early, and a way to find a question the LLM gets to answer."""

from __future__ import annotations

import threading
import time
import uuid
from typing import Iterator

from bot.llm import LLM, GenerationRequest
from bot.messages import Message


class FakeLLM(LLM):
    """Yields `pieces` (`delay` s apart); `hang` blocks before the first piece until released.

    Records each request, how many pieces were pulled and whether the iterator was closed.
    """

    name = "fake"
    model = "fake-model"

    def __init__(self, pieces=("Hello", " world", " [faq:a]"), delay=0.0, hang=False, fail=None, n_ctx=None):
        self.pieces, self.delay, self.fail, self.n_ctx = list(pieces), delay, fail, n_ctx
        self.release = threading.Event()
        if not hang:
            self.release.set()
        self.requests: list[GenerationRequest] = []
        self.pulled = 0
        self.finished = threading.Event()  # set when an execute() iterator ends, however it ends

    def execute(self, request: GenerationRequest) -> Iterator[str]:
        self.requests.append(request)
        try:
            self.release.wait(30)
            if self.fail:
                raise self.fail
            for piece in self.pieces:
                time.sleep(self.delay)
                self.pulled += 1
                yield piece
        finally:
            self.finished.set()

    def count_tokens(self, text: str) -> int:
        return len(text.split())  # one token per word: easy budgets in tests


async def stop_after_first_token(stream) -> None:
    """A consumer that walks away after the first token, closing the stream as callers should."""
    async for ev in stream:
        if ev.kind == "token":
            break
    await stream.aclose()


class EchoPassageLLM(LLM):
    """A grounded, cited answer: the first passage's text word by word (`delay` s apart), then its id.

    Stands in for a good model where the test is about what happens around generation."""

    name = "echo"
    model = "echo-passage"

    def __init__(self, delay: float = 0.0):
        self.delay = delay
        self.pulled = 0

    def execute(self, request: GenerationRequest) -> Iterator[str]:
        prompt = request.messages[-1]["content"]
        pid = prompt.split("id=", 1)[1].split()[0]
        text = prompt.split(">>>\n", 1)[1].split("\n<<<END>>>", 1)[0]
        self.pulled = 0
        for n, word in enumerate([*text.split(), f"[{pid}]"]):
            time.sleep(self.delay)
            self.pulled += 1
            yield word if n == 0 else " " + word

    def count_tokens(self, text: str) -> int:
        return len(text.split())


# Questions about the service that no single entry may answer confidently; in_scope_unanswered picks one
# that the (calibrated) router sends to `unknown`, i.e. where an LLM may compose.
CANDIDATES = [
    "Can a guest who uses the mobile app get due date reminders about archived projects?",
    "Does Tasklane have a Gantt chart export to MS Project?",
    "Is there a Linux desktop app for Tasklane?",
    "Can I forward an email to Tasklane to create a task?",
    "Does the Tasklane API support GraphQL subscriptions for task comments?",
    "Can automations post to Microsoft Teams when a guest archives a project?",
]


def in_scope_unanswered(bot) -> str:
    for text in CANDIDATES:
        if bot.answer_sync(Message(text, platform="test", user_id=uuid.uuid4().hex), audit=False).route == "unknown":
            return text
    raise AssertionError("no candidate question routes to unknown")
