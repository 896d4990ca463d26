"""The async generation service the pipeline calls.

One generation at a time per model: later callers wait in a bounded FIFO line and are told their
position; a full line fails fast. `LLM.execute` runs in the Generator's worker thread and its pieces
reach the event loop through `_Pipe` (`call_soon_threadsafe`), so the loop never blocks on the model.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import threading
import time
import weakref
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import AsyncIterator

from bot.errors import ConfigError
from bot.llm.base import LLM, GenerationRequest, load_llm, validate_config
from bot.llm.prompt import CANARY, Passage, PromptTemplate, extract_citations, neutralize

log = logging.getLogger(__name__)

_TOKEN, _END, _ERROR, _TIMEOUT = range(4)
# One lock per loaded model, so that even two Generators sharing a model never run it at once.
_MODEL_LOCKS: weakref.WeakKeyDictionary[LLM, threading.Lock] = weakref.WeakKeyDictionary()
PROMPT_MARGIN = 16  # tokens for the chat template's own markup


@dataclass
class GenerationResult:
    text: str = ""
    citations: list[str] = field(default_factory=list)  # cited ids, all among `passages`
    passages: list[str] = field(default_factory=list)  # ids of the passages sent to the model
    prompt_version: str = ""
    prompt_hash: str = ""
    model: str = ""
    reason: str | None = None  # None when ok; else "timeout", "error" or "queue_full"
    detail: str = ""
    unknown: bool = False  # the model said the prompt's "I don't know"
    tokens: int = 0  # completion pieces (one per token for local backends)
    prompt_tokens: int = 0  # estimate from the budget count
    ttft_ms: float | None = None  # from the call, queue wait included
    queue_ms: float = 0.0
    total_ms: float = 0.0

    @property
    def ok(self) -> bool:
        return self.reason is None

    @property
    def usage(self) -> dict[str, int]:
        return {"prompt_tokens": self.prompt_tokens, "completion_tokens": self.tokens}


@dataclass(frozen=True, slots=True)
class GenerationEvent:
    kind: str  # "queued" | "token" | "done" | "error"
    text: str = ""  # the piece, for "token"
    position: int = 0  # requests ahead of this one, for "queued"
    result: GenerationResult | None = None  # for "done" and "error"

    @property
    def reason(self) -> str | None:
        return self.result.reason if self.result else None

    @property
    def usage(self) -> dict[str, int] | None:
        return self.result.usage if self.result else None


class QueueFull(Exception):
    pass


class _Slot:
    """A single-holder lock with a bounded FIFO line whose members can see their position."""

    def __init__(self, queue_size: int):
        self.queue_size = queue_size
        self.busy = False
        self.waiters: deque[asyncio.Future] = deque()
        self._moved: asyncio.Future | None = None  # resolved whenever the line moves

    def enter(self) -> asyncio.Future | None:
        """None: the slot is ours now. A future: resolved when it is handed to us."""
        if not self.busy:
            self.busy = True
            return None
        if len(self.waiters) >= self.queue_size:
            raise QueueFull
        ticket = asyncio.get_running_loop().create_future()
        self.waiters.append(ticket)
        return ticket

    def position(self, ticket: asyncio.Future) -> int:
        return self.waiters.index(ticket) + 1

    async def moved(self, ticket: asyncio.Future) -> None:
        if self._moved is None:
            self._moved = asyncio.get_running_loop().create_future()
        await asyncio.wait((ticket, self._moved), return_when=asyncio.FIRST_COMPLETED)

    def _notify(self) -> None:
        if self._moved is not None and not self._moved.done():
            self._moved.set_result(None)
        self._moved = None

    def release(self) -> None:
        while self.waiters:
            ticket = self.waiters.popleft()
            if not ticket.done():
                ticket.set_result(None)  # handed over: stays busy
                break
        else:
            self.busy = False
        self._notify()

    def abandon(self, ticket: asyncio.Future | None) -> None:
        """Leave the line, or give the slot back if it was already ours."""
        if ticket is None or (ticket.done() and not ticket.cancelled()):
            self.release()
        elif ticket in self.waiters:
            self.waiters.remove(ticket)
            ticket.cancel()
            self._notify()


def _post(loop: asyncio.AbstractEventLoop, fn, *args) -> None:
    with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is listening
        loop.call_soon_threadsafe(fn, *args)


def _wake(waiter: asyncio.Future) -> None:
    if not waiter.done():
        waiter.set_result(None)


class _Pipe:
    """Worker thread -> event loop.

    The loop is woken only when the reader waits, and at most once per COALESCE_S unless `urgent`
    (first token, end, errors). A piece held back by that spacing arms one timer that collects it when
    the window closes. So a slow model's tokens cost one wake-up each, a fast model's a few per window
    instead of one each (each wake-up is a thread switch and a GIL hand-off), and TTFT is never delayed.
    """

    COALESCE_S = 0.05  # 20 updates a second at most: smooth to read, far above chat edit rate limits

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.items: deque = deque()
        self.waiter: asyncio.Future | None = None
        self.lock = threading.Lock()
        self.last_wake = 0.0
        self.flush_armed = False

    def put(self, item, urgent: bool = True) -> None:  # any thread
        with self.lock:
            self.items.append(item)
            if self.waiter is None:
                return  # the reader is busy; it takes everything when it comes back
            now = time.monotonic()
            if urgent or now - self.last_wake >= self.COALESCE_S:
                call = (_wake, self.waiter)
                self.waiter, self.last_wake = None, now
            elif not self.flush_armed:
                self.flush_armed = True
                call = (self.loop.call_later, self.last_wake + self.COALESCE_S - now, self._flush)
            else:
                return
        _post(self.loop, *call)

    def _flush(self) -> None:  # event loop
        with self.lock:
            self.flush_armed = False
            if self.waiter is None or not self.items:
                return
            waiter, self.waiter, self.last_wake = self.waiter, None, time.monotonic()
        _wake(waiter)

    async def get_all(self) -> list:  # event loop
        while True:
            with self.lock:
                if self.items:
                    items = list(self.items)
                    self.items.clear()
                    return items
                self.waiter = waiter = self.loop.create_future()
            try:
                await waiter
            finally:
                with self.lock:
                    if self.waiter is waiter:
                        self.waiter = None


class Generator:
    def __init__(self, llm: LLM, prompt: PromptTemplate, *, max_tokens: int = 256,
                 temperature: float = 0.2, stop: list[str] | None = None, timeout_s: float = 20.0,
                 context_tokens: int | None = None, max_passages: int = 10, queue_size: int = 8,
                 canary: str = CANARY):
        self.llm, self.prompt, self.canary = llm, prompt, canary
        self.max_tokens, self.temperature, self.timeout_s = max_tokens, float(temperature), float(timeout_s)
        self.max_passages = max(1, min(max_passages, 10))
        self.stop = list(dict.fromkeys([*prompt.stop, *(stop or [])]))
        room = llm.n_ctx - max_tokens if llm.n_ctx else None  # the prompt plus the answer must fit n_ctx
        self.context_tokens = min(context_tokens or room or 2048, room or 1 << 30)
        self._count = functools.lru_cache(maxsize=2048)(llm.count_tokens)
        empty = prompt.render("", [], canary)
        self._overhead = sum(self._count(m["content"]) for m in empty) + PROMPT_MARGIN
        if self.context_tokens <= self._overhead:
            raise ConfigError(f"[llm] context budget of {self.context_tokens} tokens is smaller than the prompt "
                              f"itself ({self._overhead}); raise context_tokens/n_ctx or lower max_tokens")
        self._slot = _Slot(queue_size)
        self._model_lock = _MODEL_LOCKS.setdefault(llm, threading.Lock())
        self._executor = ThreadPoolExecutor(1, thread_name_prefix=f"helpbot-llm-{llm.name}")
        self._running: set[threading.Event] = set()  # stop flags of generations in progress

    @property
    def queue_depth(self) -> int:
        """Requests waiting in line for the model (the one being written not counted)."""
        return len(self._slot.waiters)

    @property
    def versions(self) -> dict[str, str]:
        """For the reply record."""
        return {"prompt": f"{self.prompt.version}#{self.prompt.hash}", "llm": f"{self.llm.name}:{self.llm.model}"}

    def _truncate(self, text: str, max_tokens: int) -> str:
        cost = self._count(text)
        while cost > max_tokens and text:
            text = text[: int(len(text) * max_tokens / cost * 0.95)]
            cost = self._count(text)
        return text

    def assemble(self, question: str, passages: list[Passage]) -> tuple[list[dict], list[Passage], int]:
        """Messages within the token budget: best passages first; the first is cut to fit if needed."""
        budget = self.context_tokens - self._overhead
        question = neutralize(question, self.canary)
        if self._count(question) > budget // 2:
            question = self._truncate(question, budget // 2)
        budget -= self._count(question)
        chosen: list[Passage] = []
        for p in passages[: self.max_passages]:
            cost = self._count(self.prompt.passage_block(p, self.canary)) + 2
            if cost <= budget:
                chosen.append(p)
                budget -= cost
            elif not chosen:  # the best passage always goes in, cut down
                room = budget - self._count(self.prompt.passage_block(replace(p, text=""), self.canary)) - 2
                if room > 0:
                    chosen.append(replace(p, text=self._truncate(p.text, room)))
                    budget = 0
        messages = self.prompt.render(question, chosen, self.canary)
        return messages, chosen, self.context_tokens - budget

    def _work(self, request: GenerationRequest, stop: threading.Event, pipe: _Pipe) -> None:
        """Worker thread: pull pieces until done or told to stop; always hand the slot back."""
        final = (_END, None)
        try:
            with self._model_lock:
                pieces = self.llm.execute(request)
                try:
                    first = True
                    for piece in pieces:
                        if stop.is_set():
                            break
                        pipe.put((_TOKEN, piece), urgent=first)
                        first = False
                finally:
                    getattr(pieces, "close", lambda: None)()
        except Exception as exc:  # noqa: BLE001 - reported as an "error" event
            # The message may quote a server's reply: it goes to the result, only the type to the log.
            log.warning("llm %s failed: %s", self.llm.name, type(exc).__name__)
            log.debug("llm failure", exc_info=True)
            final = (_ERROR, f"{type(exc).__name__}: {exc}")
        finally:
            _post(pipe.loop, self._slot.release)  # runs before the reader sees the end: the model is free
            pipe.put(final)

    async def stream(self, question: str, passages: list[Passage]) -> AsyncIterator[GenerationEvent]:
        """Events: queued(position)*, token(text)*, then one done(result) or error(result)."""
        loop = asyncio.get_running_loop()
        t0 = loop.time()
        res = GenerationResult(prompt_version=self.prompt.version, prompt_hash=self.prompt.hash,
                               model=self.llm.model)
        try:
            ticket = self._slot.enter()
        except QueueFull:
            res.reason, res.detail = "queue_full", f"{self._slot.queue_size} requests already waiting"
            yield GenerationEvent("error", result=res)
            return
        started = False
        pieces: list[str] = []
        try:
            last = 0
            while ticket is not None and not ticket.done():
                if (pos := self._slot.position(ticket)) != last:
                    last = pos
                    yield GenerationEvent("queued", position=pos)
                await self._slot.moved(ticket)
            t_start = loop.time()
            res.queue_ms = (t_start - t0) * 1000
            try:
                messages, used, res.prompt_tokens = self.assemble(question, passages)
            except Exception as exc:  # noqa: BLE001 - e.g. a tokenizer failure
                res.reason, res.detail = "error", f"{type(exc).__name__}: {exc}"
            else:
                res.passages = [p.id for p in used]
                request = GenerationRequest(messages, self.max_tokens, self.temperature,
                                            self.stop or None, self.timeout_s)
                pipe = _Pipe(loop)
                stop = threading.Event()
                self._running.add(stop)
                self._executor.submit(self._work, request, stop, pipe)
                started = True
                timer = loop.call_at(t_start + self.timeout_s, pipe.put, (_TIMEOUT, None))
                try:
                    ended = False
                    while not ended:
                        for kind, value in await pipe.get_all():
                            if kind == _TOKEN:
                                if not pieces:
                                    res.ttft_ms = (loop.time() - t0) * 1000
                                pieces.append(value)
                                yield GenerationEvent("token", text=value)
                                continue
                            if kind != _END:
                                res.reason = "timeout" if kind == _TIMEOUT else "error"
                                res.detail = value or f"no answer within {self.timeout_s:g}s"
                            ended = True
                            break
                finally:
                    stop.set()  # also when the consumer stops early: the worker quits at its next piece
                    self._running.discard(stop)
                    timer.cancel()
        finally:
            if not started:
                self._slot.abandon(ticket)
        res.text = "".join(pieces).strip()
        res.tokens = len(pieces)
        res.citations = extract_citations(res.text, res.passages)
        res.unknown = self.prompt.says_unknown(res.text)
        res.total_ms = (loop.time() - t0) * 1000
        if res.reason:
            log.warning("generation %s after %.0f ms", res.reason, res.total_ms)
        yield GenerationEvent("error" if res.reason else "done", result=res)

    async def generate(self, question: str, passages: list[Passage]) -> GenerationResult:
        async with contextlib.aclosing(self.stream(question, passages)) as events:
            async for event in events:
                if event.result is not None:
                    return event.result
        raise AssertionError("stream ended without a result")  # pragma: no cover

    def close(self, close_llm: bool = True) -> None:
        """At shutdown: stop generations at their next piece, wait for the worker, free the model."""
        for stop in list(self._running):
            stop.set()
        self._executor.shutdown(wait=True, cancel_futures=True)
        if close_llm:
            self.llm.close()


def build_generator(config: dict) -> Generator | None:
    """From the [llm] settings: None for the logic-only `none` backend."""
    cfg = validate_config(config)
    if cfg["backend"] == "none":
        return None
    prompt = PromptTemplate.load(cfg.get("prompt") or "answer")  # fail on a bad prompt before loading a model
    llm = load_llm(cfg)
    keys = ("max_tokens", "temperature", "stop", "timeout_s", "context_tokens", "max_passages", "queue_size")
    return Generator(llm, prompt, **{k: cfg[k] for k in keys if cfg.get(k) is not None})
