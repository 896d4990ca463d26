"""Routing overhead per message, beyond the shared embedding: `python benchmarks/router_bench.py`.

Times the router's own work for each message: the plain-logic plan (smalltalk, style, split,
follow-up reading) and the decision (entry scores, keyword agreement, in-scope head, calibrated
models, ambiguity, composition, memory), with the message's embeddings computed beforehand and
left out of the timing. The guard's and the LLM's time are theirs, measured elsewhere. Messages: evals/sample.jsonl when
present, plus built-in compound, style, follow-up and bad-input messages.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

REPO = Path(__file__).resolve().parent.parent
EXTRA = [
    "Tell me how to invite a member. Also, write my resume.",
    "メンバーを招待するには？あと、履歴書を書いて。",
    "explain how to reset my password as a haiku",
    "How do I archive a project?",
    "and how do I undo that?",
    "How do I invite someone to my workspace? " * 50,
    "word " * 10_000,
    "👍",
    "<@U123> https://example.com",
]


def messages() -> list[str]:
    texts = []
    sample = REPO / "evals" / "sample.jsonl"
    if sample.is_file():
        texts = [json.loads(line)["text"] for line in sample.read_text(encoding="utf-8").splitlines() if line.strip()]
    return texts + EXTRA


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--knowledge", type=Path, default=REPO / "knowledge")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    os.environ.setdefault("HELPBOT_HOME", tempfile.mkdtemp(prefix="helpbot-bench-"))
    from bot.config import load_settings
    from bot.search.embedcache import EmbeddingCache
    from bot.messages import Message
    from bot.core.pipeline import HelpBot, Prepared, clean_text
    from bot.routing.router import smalltalk_kind

    bot = HelpBot(load_settings(), args.knowledge)
    router, snapshot = bot.router, bot.snapshot
    texts = messages()
    routing_ms, embed_ms = [], []
    for round_ in range(args.rounds):
        for n, text in enumerate(texts):
            message = Message(text, platform="bench", conversation_id=f"bench-{round_}-{n // 2}")
            t0 = time.perf_counter()
            clean = clean_text(text)[: bot.settings.core["max_input_chars"]]
            kind = smalltalk_kind(clean)
            plan = None if kind else router.plan(clean, message.conversation_key)
            t1 = time.perf_counter()
            cache = EmbeddingCache(bot.embedder)
            if plan is not None and not plan.decline:
                cache.prefetch(plan.embed_texts)
            t2 = time.perf_counter()
            if plan is not None and not plan.decline:
                decisions = router.decide_plan(plan, cache)
                bot._compose(Prepared(message, clean, plan=plan), decisions, snapshot)
                router.remember(plan, decisions)
            t3 = time.perf_counter()
            routing_ms.append(((t1 - t0) + (t3 - t2)) * 1000)
            embed_ms.append((t2 - t1) * 1000)
    q = lambda v, p: statistics.quantiles(v, n=100)[p - 1]  # noqa: E731
    result = {
        "messages": len(texts),
        "rounds": args.rounds,
        "entries": len(bot.snapshot.kb.chunks),
        "routing_ms": {"p50": round(statistics.median(routing_ms), 3), "p95": round(q(routing_ms, 95), 3), "max": round(max(routing_ms), 3)},
        "embedding_ms": {"p50": round(statistics.median(embed_ms), 3), "p95": round(q(embed_ms, 95), 3)},
    }
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
