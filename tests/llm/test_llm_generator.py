"""Generator mechanics with a scriptable fake model: queue, timeout, cancellation, budget, results."""

from __future__ import annotations

import asyncio
import time

import pytest

from bot.errors import ConfigError
from bot.llm import GenerationEvent, Generator, Passage, build_generator
from tests.llm.fakes import FakeLLM, stop_after_first_token
from tests.plugin_support import installed


async def collect(gen: Generator, question="How do I invite someone?", passages=()) -> list[GenerationEvent]:
    return [ev async for ev in gen.stream(question, list(passages))]


async def record(stream, into: list) -> None:
    async for ev in stream:
        into.append(ev)


@pytest.mark.asyncio
async def test_stream_events_and_result(fake_llm, prompt, passages):
    gen = Generator(fake_llm, prompt, queue_size=2)
    events = await collect(gen, passages=passages)
    assert [e.kind for e in events] == ["token", "token", "token", "done"]
    assert "".join(e.text for e in events) == "Hello world [faq:a]"
    res = events[-1].result
    assert res.ok and res.reason is None and events[-1].reason is None
    assert res.text == "Hello world [faq:a]"
    assert res.prompt_version == "answer.v1" and res.prompt_hash == prompt.hash
    assert res.passages == [p.id for p in passages]
    assert res.citations == []  # faq:a was not among the passages
    assert res.tokens == 3 and res.usage["completion_tokens"] == 3 and res.prompt_tokens > 0
    assert res.ttft_ms is not None and 0 <= res.ttft_ms <= res.total_ms
    assert gen.versions == {"prompt": f"answer.v1#{prompt.hash}", "llm": "fake:fake-model"}
    gen.close(close_llm=False)


@pytest.mark.asyncio
async def test_generate_collects_citations_and_request_settings(prompt, passages):
    llm = FakeLLM(pieces=["Go to Settings [faq:invite-member]", " and [doc:billing, faq:nope]."])
    gen = Generator(llm, prompt, max_tokens=64, temperature=0.0, stop=["\n\n"], timeout_s=5)
    res = await gen.generate("How do I invite?", passages)
    assert res.ok and res.citations == ["faq:invite-member", "doc:billing"]
    req = llm.requests[0]
    assert (req.max_tokens, req.temperature, req.timeout_s) == (64, 0.0, 5.0)
    assert req.stop == ["<<<", "\n\n"]  # the prompt file's stops, then the config's
    assert req.messages[0]["role"] == "system" and gen.canary in req.messages[0]["content"]
    assert "<<<QUESTION>>>\nHow do I invite?\n<<<END>>>" in req.messages[1]["content"]
    gen.close(close_llm=False)


@pytest.mark.asyncio
async def test_unknown_answer_is_flagged(prompt, passages):
    gen = Generator(FakeLLM(pieces=["I don", "\u2019t know."]), prompt)
    res = await gen.generate("What is the airspeed of a swallow?", passages)
    assert res.ok and res.unknown and res.citations == []
    gen.close(close_llm=False)


@pytest.mark.asyncio
async def test_second_request_waits_with_its_position_and_full_queue_fails_fast(prompt, passages):
    llm = FakeLLM(hang=True)
    gen = Generator(llm, prompt, queue_size=2)
    first = asyncio.create_task(collect(gen, passages=passages))
    await asyncio.sleep(0.05)  # first now holds the model
    second_events: list[GenerationEvent] = []
    third_events: list[GenerationEvent] = []
    second_task = asyncio.create_task(record(gen.stream("second", passages), second_events))
    third_task = asyncio.create_task(record(gen.stream("third", passages), third_events))
    await asyncio.sleep(0.05)
    assert [(e.kind, e.position) for e in second_events] == [("queued", 1)]
    assert [(e.kind, e.position) for e in third_events] == [("queued", 2)]

    t0 = time.perf_counter()
    fourth = await collect(gen, passages=passages)  # line is full: no waiting
    assert time.perf_counter() - t0 < 0.05
    assert [e.kind for e in fourth] == ["error"] and fourth[0].reason == "queue_full"

    llm.release.set()
    await asyncio.gather(first, second_task, third_task)
    assert second_events[-1].kind == "done" and third_events[-1].kind == "done"
    # The third moved up to position 1 once the first finished.
    assert [e.position for e in third_events if e.kind == "queued"] == [2, 1]
    assert [r.messages[1]["content"].count("<<<QUESTION>>>\nsecond") for r in llm.requests] == [0, 1, 0]
    gen.close(close_llm=False)


@pytest.mark.asyncio
async def test_cancelled_waiter_leaves_the_line(prompt, passages):
    llm = FakeLLM(hang=True)
    gen = Generator(llm, prompt, queue_size=1)
    first = asyncio.create_task(collect(gen, passages=passages))
    await asyncio.sleep(0.02)
    waiting = asyncio.create_task(collect(gen, passages=passages))
    await asyncio.sleep(0.02)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiting
    llm.release.set()
    await first
    assert [e.kind for e in await collect(gen, passages=passages)][-1] == "done"  # the slot is free again
    assert len(llm.requests) == 2
    gen.close(close_llm=False)


@pytest.mark.asyncio
async def test_timeout_reports_partial_text_and_frees_the_model_when_worker_ends(prompt, passages):
    llm = FakeLLM(pieces=["a", "b", "c", "d", "e", "f"], delay=0.1)
    gen = Generator(llm, prompt, timeout_s=0.25)
    t0 = time.perf_counter()
    res = await gen.generate("q", passages)
    assert res.reason == "timeout" and not res.ok
    assert 0.2 < time.perf_counter() - t0 < 0.5
    assert res.text in ("a", "ab", "abc")
    assert llm.finished.wait(1) and llm.pulled < 6  # the worker stopped at its next piece
    await asyncio.sleep(0.05)
    assert (await gen.generate("again", passages)).reason == "timeout"  # and the slot came back
    gen.close(close_llm=False)


@pytest.mark.asyncio
async def test_timeout_while_model_hangs_before_first_token(prompt, passages):
    llm = FakeLLM(hang=True)
    gen = Generator(llm, prompt, timeout_s=0.1)
    res = await gen.generate("q", passages)
    assert res.reason == "timeout" and res.text == "" and res.ttft_ms is None
    llm.release.set()
    gen.close(close_llm=False)


@pytest.mark.asyncio
async def test_consumer_stopping_early_stops_the_worker(prompt, passages):
    llm = FakeLLM(pieces=[f"t{i} " for i in range(200)], delay=0.005)
    gen = Generator(llm, prompt)
    await stop_after_first_token(gen.stream("q", passages))
    assert llm.finished.wait(1)
    assert llm.pulled < 10
    llm.pieces = ["x"]
    assert (await gen.generate("next", passages)).ok  # the model is free for the next caller
    gen.close(close_llm=False)


@pytest.mark.asyncio
async def test_close_stops_a_running_generation(prompt, passages):
    llm = FakeLLM(pieces=[f"t{i} " for i in range(200)], delay=0.005)
    gen = Generator(llm, prompt)
    stream = gen.stream("q", passages)
    assert (await anext(stream)).kind == "token"
    t0 = time.perf_counter()
    gen.close(close_llm=False)  # at shutdown, with a consumer still attached
    assert time.perf_counter() - t0 < 0.5 and llm.finished.is_set() and llm.pulled < 20
    await stream.aclose()


@pytest.mark.asyncio
async def test_consumer_task_cancelled_mid_stream_stops_the_worker(prompt, passages):
    llm = FakeLLM(pieces=[f"t{i} " for i in range(200)], delay=0.005)
    gen = Generator(llm, prompt)
    task = asyncio.create_task(collect(gen, passages=passages))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert llm.finished.wait(1) and llm.pulled < 50
    gen.close(close_llm=False)


@pytest.mark.asyncio
async def test_event_loop_keeps_running_while_the_model_works(prompt, passages):
    llm = FakeLLM(pieces=["slow"], delay=0.3)  # time.sleep in the worker thread
    gen = Generator(llm, prompt)
    ticks = 0

    async def ticker():
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    t = asyncio.create_task(ticker())
    res = await gen.generate("q", passages)
    t.cancel()
    assert res.ok and ticks >= 15  # the loop was free ~30 times during the 0.3 s
    gen.close(close_llm=False)


@pytest.mark.asyncio
async def test_backend_error_becomes_error_event(prompt, passages):
    gen = Generator(FakeLLM(fail=RuntimeError("boom")), prompt)
    events = await collect(gen, passages=passages)
    assert [e.kind for e in events] == ["error"]
    assert events[0].reason == "error" and "RuntimeError: boom" in events[0].result.detail
    assert (await gen.generate("again", passages)).reason == "error"  # slot released after failure
    gen.close(close_llm=False)


class Timed(FakeLLM):
    """Sleeps `delays[i]` before piece i."""

    def __init__(self, delays):
        super().__init__(pieces=[f"p{i} " for i in range(len(delays))])
        self.delays = delays

    def execute(self, request):
        for piece, delay in zip(self.pieces, self.delays):
            time.sleep(delay)
            yield piece


@pytest.mark.asyncio
async def test_fast_tokens_all_arrive_in_order(prompt, passages):
    gen = Generator(Timed([0.0] * 300), prompt)
    res = await gen.generate("q", passages)
    assert res.ok and res.text.split() == [f"p{i}" for i in range(300)]
    gen.close(close_llm=False)


@pytest.mark.asyncio
async def test_coalesced_token_is_not_held_while_the_model_stalls(prompt, passages):
    """p1 comes right after p0 (inside the wake-up window), then the model stalls for 0.5 s."""
    gen = Generator(Timed([0.0, 0.0005, 0.5]), prompt)
    arrived = {}
    t0 = time.perf_counter()
    async for ev in gen.stream("q", passages):
        if ev.kind == "token":
            arrived[ev.text.strip()] = time.perf_counter() - t0
    assert arrived["p1"] < 0.25 and arrived["p2"] >= 0.5
    gen.close(close_llm=False)


def _words(n: int, tag: str) -> str:
    return " ".join(f"{tag}{i}" for i in range(n))


def test_context_budget_best_passages_first(prompt):
    llm = FakeLLM()
    overhead = Generator(llm, prompt, context_tokens=10_000)._overhead
    gen = Generator(llm, prompt, context_tokens=overhead + 130)
    ps = [Passage("p1", "One", None, _words(50, "a")), Passage("p2", "Two", None, _words(100, "b")),
          Passage("p3", "Three", None, _words(30, "c"))]
    messages, used, prompt_tokens = gen.assemble("how now", ps)
    assert [p.id for p in used] == ["p1", "p3"]  # p2 does not fit; p3 still does
    assert prompt_tokens <= gen.context_tokens
    assert "b0" not in messages[1]["content"] and "c29" in messages[1]["content"]
    # The real count of what is sent stays within the budget.
    assert sum(llm.count_tokens(m["content"]) for m in messages) <= gen.context_tokens


def test_context_budget_cuts_the_best_passage_rather_than_dropping_it(prompt):
    llm = FakeLLM()
    overhead = Generator(llm, prompt, context_tokens=10_000)._overhead
    gen = Generator(llm, prompt, context_tokens=overhead + 60)
    messages, used, _ = gen.assemble("q", [Passage("big", "Big", None, _words(500, "w"))])
    assert [p.id for p in used] == ["big"] and 0 < len(used[0].text.split()) < 60
    assert sum(llm.count_tokens(m["content"]) for m in messages) <= gen.context_tokens


def test_context_budget_at_most_ten_passages(prompt):
    gen = Generator(FakeLLM(), prompt, context_tokens=100_000, max_passages=50)
    ps = [Passage(f"p{i}", "t", None, "short text") for i in range(15)]
    assert len(gen.assemble("q", ps)[1]) == 10


def test_default_budget_from_model_context(prompt):
    assert Generator(FakeLLM(n_ctx=4096), prompt, max_tokens=256).context_tokens == 3840
    assert Generator(FakeLLM(n_ctx=4096), prompt, max_tokens=256, context_tokens=9000).context_tokens == 3840
    assert Generator(FakeLLM(n_ctx=4096), prompt, context_tokens=1500).context_tokens == 1500
    assert Generator(FakeLLM(), prompt, context_tokens=9000).context_tokens == 9000
    with pytest.raises(ConfigError, match="context budget"):
        Generator(FakeLLM(n_ctx=300), prompt, max_tokens=256)


def test_build_generator_none_and_registered_backend(prompt, tmp_path):
    assert build_generator({}) is None
    assert build_generator({"backend": "none"}) is None
    with installed(tmp_path, {"helpbot.llm_backends": {"fake": "tests.llm.test_llm_generator:FakeBackend"}}):
        check_build_generator()


class FakeBackend(FakeLLM):
    @classmethod
    def from_config(cls, cfg):
        return cls()


def check_build_generator():
    gen = build_generator({"backend": "fake", "model": "m", "max_tokens": 32, "queue_size": 3, "prompt": "answer.v1"})
    assert gen.max_tokens == 32 and gen._slot.queue_size == 3 and gen.prompt.version == "answer.v1"
    gen.close()
    with pytest.raises(ConfigError, match="'max_tokenz'"):
        build_generator({"backend": "fake", "model": "m", "max_tokenz": 3})
