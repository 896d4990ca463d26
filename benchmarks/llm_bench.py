"""helpbot's generation overhead: raw llama-cpp-python streaming vs `Generator.stream`, same model and prompt.

    python benchmarks/llm_bench.py                    # tiny random GGUF built on the spot
    python benchmarks/llm_bench.py --preset small     # a bigger random GGUF (slower tokens, like a real model)
    python benchmarks/llm_bench.py --model m.gguf     # your own model
    python benchmarks/llm_bench.py --cache            # also: what KV reuse of the fixed system prefix buys
    python benchmarks/llm_bench.py --threads 1        # on small or busy machines (figures in docs/llm.md)

Every call gets its own question and passages, so only the system prompt is shared with the previous
call in both modes. Modes alternate ABBA to cancel drift. Reports medians and paired ratios.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from machine import describe  # noqa: E402  (benchmarks/machine.py)

from bot.llm import Generator, Passage, PromptTemplate  # noqa: E402
from bot.llm.doctor import read_gguf  # noqa: E402
from bot.llm.backends.llama_cpp_backend import LlamaCppLLM  # noqa: E402

PRESETS = {
    "tiny": dict(),  # the test model: 64 wide, 2 layers, f32
    "small": dict(n_embd=512, n_layer=8, n_head=8, n_head_kv=8, n_ff=1536, quant="q8_0"),
}
TOPICS = ["invite a member", "reset a password", "change the billing plan", "export data", "enable SSO",
          "delete a workspace", "rename a project"]


def call_inputs(k: int, recurring: bool = False) -> tuple[str, list[Passage]]:
    """Question and 3 passages for call k. Distinct passages per call unless `recurring`, where calls
    cycle through 7 passage sets (popular questions retrieving the same FAQ entries)."""
    n = k % 7 if recurring else k
    passages = [Passage(f"faq:topic-{n}-{j}", TOPICS[(n + j) % 7].capitalize(), None,
                        f"Entry {n}-{j}. To {TOPICS[(n + j) % 7]}, open Settings and choose the "
                        f"{TOPICS[(n + j) % 7].split()[-1]} page. Click the button at the top right, confirm "
                        "the dialog, and the change applies to the whole team within a minute.")
                for j in range(3)]
    return f"Question {k:04d}: how do I {TOPICS[k % 7]}?", passages


def raw_run(llm: LlamaCppLLM, messages, args, stop=("<<<",)) -> tuple[float, float, int]:
    """(ttft s, decode tokens/s, pieces) for plain create_chat_completion(stream=True)."""
    t0 = time.perf_counter()
    first = last = None
    n = 0
    for chunk in llm.llama.create_chat_completion(messages=messages, max_tokens=args.max_tokens,
                                                  temperature=args.temperature, stop=list(stop), stream=True):
        if chunk["choices"][0]["delta"].get("content"):
            last = time.perf_counter()
            first = first or last
            n += 1
    return first - t0, (n - 1) / (last - first) if n > 1 else 0.0, n


async def helpbot_run(gen: Generator, question, passages) -> tuple[float, float, int]:
    t0 = time.perf_counter()
    first = last = None
    n = 0
    async for ev in gen.stream(question, passages):
        if ev.kind == "token":
            last = time.perf_counter()
            first = first or last
            n += 1
        elif ev.kind == "error":
            raise RuntimeError(ev.result.detail)
    return first - t0, (n - 1) / (last - first) if n > 1 else 0.0, n


async def compare(llm: LlamaCppLLM, gen: Generator, args) -> dict[str, list[tuple[float, float, int]]]:
    out: dict[str, list] = {"raw": [], "helpbot": []}
    for k in range(-4, 2 * args.runs):  # the first 4 calls warm up
        question, passages = call_inputs(k + 1000)
        mode = "raw" if (k % 4) in (0, 3) else "helpbot"  # ABBA
        if mode == "raw":
            messages = gen.assemble(question, passages)[0]  # the same messages helpbot sends, built untimed
            result = raw_run(llm, messages, args, gen.stop)
        else:
            result = await helpbot_run(gen, question, passages)
        if k >= 0:
            out[mode].append(result)
    return out


def cache_study(llm: LlamaCppLLM, gen: Generator, args, recurring: bool) -> dict[str, tuple[float, float]]:
    """Median raw (TTFT, whole call) in ms: no KV reuse, llama-cpp-python's live prefix reuse, and that
    plus LlamaRAMCache (whose save_state runs at the end of each call). Set-ups take turns call by call."""
    from llama_cpp import LlamaRAMCache

    ram = LlamaRAMCache(capacity_bytes=1 << 30)
    setups = {"no reuse (reset before each call)": (None, True),
              "live prefix reuse (llama-cpp-python default)": (None, False),
              "live reuse + LlamaRAMCache": (ram, False)}
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in setups}
    for k in range(-3, args.runs * len(setups)):
        name = list(setups)[k % len(setups)]
        cache, reset = setups[name]
        messages = gen.assemble(*call_inputs(k + 5000, recurring))[0]
        llm.llama.set_cache(cache)
        if reset:
            llm.llama.reset()
        t0 = time.perf_counter()
        ttft = raw_run(llm, messages, args)[0]
        total = time.perf_counter() - t0
        llm.llama.set_cache(None)
        if k >= 0:
            times[name].append((ttft, total))
    return {name: (statistics.median(t for t, _ in ts) * 1000, statistics.median(c for _, c in ts) * 1000)
            for name, ts in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", help="a .gguf file (default: build a random one, see --preset)")
    ap.add_argument("--preset", choices=sorted(PRESETS), default="tiny")
    ap.add_argument("--runs", type=int, default=30, help="measured calls per mode")
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--temperature", type=float, default=0.2)
    ap.add_argument("--n-ctx", type=int, default=2048)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--cache", action="store_true", help="also measure KV reuse of the system prefix")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        model = args.model
        if not model:
            from tests.llm.tiny_models import build_tiny_gguf

            model = str(build_tiny_gguf(Path(tmp) / f"{args.preset}.gguf", seed=1, **PRESETS[args.preset]))
        info = read_gguf(model)
        llm = LlamaCppLLM(model, n_ctx=args.n_ctx, n_threads=args.threads)
        gen = Generator(llm, PromptTemplate.load("answer"), max_tokens=args.max_tokens,
                        temperature=args.temperature, timeout_s=600)
        prompt_tokens = gen.assemble(*call_inputs(0))[2]
        results = asyncio.run(compare(llm, gen, args))
        studies = {f"{'recurring' if r else 'distinct'} passage sets": cache_study(llm, gen, args, r)
                   for r in (False, True)} if args.cache else {}
        gen.close()

    med = {m: (statistics.median(r[0] for r in rs) * 1000, statistics.median(r[1] for r in rs),
               statistics.median(r[2] for r in rs)) for m, rs in results.items()}
    (rt, rs, rn), (ht, hs, hn) = med["raw"], med["helpbot"]
    print(f"machine: {describe('llama-cpp-python')}; threads {llm.llama.n_threads}")
    print(f"model: {Path(model).name if args.model else args.preset + ' (random)'}, {info.architecture}, "
          f"{info.n_params / 1e6:.2f}M params, {info.quantization}; n_ctx {args.n_ctx}; "
          f"~{prompt_tokens} prompt tokens; max_tokens {args.max_tokens}; {args.runs} runs per mode, medians\n")
    print("| path | TTFT ms | decode tok/s | tokens |")
    print("|---|---:|---:|---:|")
    print(f"| llama-cpp-python create_chat_completion(stream=True) | {rt:.2f} | {rs:.0f} | {rn:.0f} |")
    print(f"| helpbot Generator.stream | {ht:.2f} | {hs:.0f} | {hn:.0f} |")
    print(f"| helpbot overhead (ratio of medians) | {100 * (ht - rt) / rt:+.1f}% ({ht - rt:+.2f} ms) "
          f"| {100 * (rs - hs) / rs:+.1f}% | |")
    # Calls k and k+1 ran back to back (ABBA order): their ratio is less exposed to load drift.
    pairs = list(zip(results["raw"], results["helpbot"]))
    ttft_ratio = statistics.median(h[0] / r[0] for r, h in pairs)
    rate_ratio = statistics.median(h[1] / r[1] for r, h in pairs if r[1] and h[1])
    print(f"| helpbot overhead (median of paired ratios) | {100 * (ttft_ratio - 1):+.1f}% "
          f"| {100 * (1 - rate_ratio):+.1f}% | |")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"\nload average at the end: {load:.1f} on {os.cpu_count()} CPUs")
    for scenario, study in studies.items():
        print(f"\n| KV reuse, {scenario} (raw calls) | TTFT ms | whole call ms |")
        print("|---|---:|---:|")
        for name, (ttft, total) in study.items():
            print(f"| {name} | {ttft:.2f} | {total:.2f} |")


if __name__ == "__main__":
    main()
