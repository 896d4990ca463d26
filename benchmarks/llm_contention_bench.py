"""Logic answers while the LLM writes: p95 latency of logic-path answers, idle vs during generation.

    python benchmarks/llm_contention_bench.py                 # random "small" GGUF built on the spot
    python benchmarks/llm_contention_bench.py --model m.gguf  # your own model

The bot runs on the bundled sample knowledge with the llama-cpp backend. Logic questions (FAQ
phrasings, greetings, refusals) go through `HelpBot.handle`, one after another, first with the model
idle, then while a background task keeps the model generating without pause. Goal: busy p95 <= 2x
idle p95 (logic answers never wait behind generation).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from machine import describe  # noqa: E402  (benchmarks/machine.py)

from bot.config import load_settings  # noqa: E402
from bot.llm import Generator, Passage, PromptTemplate  # noqa: E402
from bot.llm.backends.llama_cpp_backend import LlamaCppLLM  # noqa: E402
from bot.messages import Message  # noqa: E402
from bot.core.pipeline import HelpBot  # noqa: E402

SMALL = dict(n_embd=512, n_layer=8, n_head=8, n_head_kv=8, n_ff=1536, quant="q8_0", favour="ok")


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def logic_questions(bot: HelpBot, n: int) -> list[str]:
    faq = [q for c in bot.snapshot.kb.chunks if c.kind == "faq" for q in c.questions]
    extra = ["hi there", "thanks!", "Write me a poem about the sea", "What's the weather in Paris?"]
    pool = faq + extra
    return [pool[(k * 7) % len(pool)] for k in range(n)]


async def answer_all(bot: HelpBot, questions: list[str]) -> list[float]:
    times = []
    for q in questions:
        t0 = time.perf_counter()
        reply = await bot.handle(Message(q, platform="bench", user_id=uuid.uuid4().hex, channel_id="C"))
        times.append((time.perf_counter() - t0) * 1000)
        assert not reply.generated
    return times


async def keep_generating(gen: Generator, stop: asyncio.Event, counts: dict) -> None:
    passages = [Passage("faq:x", "Invite a member", None, "Open Settings, then Members, then click Invite.")]
    while not stop.is_set():
        result = await gen.generate("How do I add people to a project and to the workspace?", passages)
        counts["generations"] += 1
        counts["tokens"] += result.tokens


async def run(args) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        if args.model:
            model = args.model
        else:
            from tests.llm.tiny_models import build_tiny_gguf

            model = str(build_tiny_gguf(Path(tmp) / "small.gguf", seed=1, **SMALL))
        llm = LlamaCppLLM(model, n_ctx=2048, n_threads=args.threads)
        gen = Generator(llm, PromptTemplate.load("answer"), max_tokens=args.max_tokens, timeout_s=600)
        settings = load_settings(env={"HELPBOT_HOME": tmp})
        bot = HelpBot(settings, generator=gen)
        questions = logic_questions(bot, args.n)
        await answer_all(bot, questions[:20])  # warm-up
        idle = await answer_all(bot, questions)
        stop, counts = asyncio.Event(), {"generations": 0, "tokens": 0}
        worker = asyncio.create_task(keep_generating(gen, stop, counts))
        await asyncio.sleep(1.0)  # the model is busy before the first measured question
        t0 = time.perf_counter()
        busy = await answer_all(bot, questions)
        elapsed = time.perf_counter() - t0
        stop.set()
        await worker
        gen.close()
    ratio = p95(busy) / p95(idle)
    print(f"machine: {describe('llama-cpp-python')}; llama threads {args.threads}")
    print(f"model: {args.model or 'random small GGUF (512 wide, 8 layers, q8_0)'}; {args.n} logic questions each way")
    print(f"generation meanwhile: {counts['tokens'] / elapsed:.0f} tokens/s, {counts['generations']} answers")
    print("| logic answers | p50 | p95 |")
    print("| --- | --- | --- |")
    print(f"| model idle | {statistics.median(idle):.1f} ms | {p95(idle):.1f} ms |")
    print(f"| model generating | {statistics.median(busy):.1f} ms | {p95(busy):.1f} ms ({ratio:.2f}x idle; goal <= 2x) |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", help="a .gguf file (default: build a random small one)")
    ap.add_argument("--n", type=int, default=200, help="logic questions per phase")
    ap.add_argument("--threads", type=int, default=1, help="llama.cpp threads (leave cores for the logic path)")
    ap.add_argument("--max-tokens", type=int, default=128)
    asyncio.run(run(ap.parse_args()))


if __name__ == "__main__":
    main()
