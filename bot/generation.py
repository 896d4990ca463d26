"""The LLM step: compose an answer from retrieved passages, check it, or fall back to logic."""

from __future__ import annotations

from bot.llm import Passage
from bot.messages import Message, Reply, Source


async def compose_with_llm(bot, message: Message, prepared, fallback: Reply, snapshot) -> Reply:
    """Generate from `prepared.generation` hits; any failure returns `fallback` with the reason."""
    generator = bot.generator
    hits = prepared.generation
    passages = [Passage(h.chunk.id, h.chunk.title, h.chunk.url, h.chunk.text) for h in hits]
    question = " ".join(prepared.parts) or prepared.text
    result = await generator.generate(question, passages)
    fallback.versions.update(generator.versions)
    if not result.ok or result.unknown or not result.citations:
        why = result.reason or ("unknown" if result.unknown else "uncited")
        fallback.reasons.append(f"llm.fallback.{why}")
        return fallback
    out = bot.guard.check_output(
        result.text,
        message,
        [p.text for p in passages],
        canary=generator.canary,
        system_prompt=generator.prompt.system_message(generator.canary),
        allowed_domains=bot._allowed_domains(snapshot),
    )
    if out.blocked:
        fallback.reasons += ["llm.fallback.output_guard", *out.reasons]
        return fallback
    by_id = {h.chunk.id: h for h in hits}
    sources = [Source(i, by_id[i].chunk.title, by_id[i].chunk.url, round(by_id[i].score, 4), by_id[i].chunk.kind) for i in result.citations if i in by_id]
    return Reply(
        "answer",
        out.text,
        sources=sources,
        scores={**fallback.scores, "llm_ttft_ms": float(result.ttft_ms or 0)},
        reasons=[r for r in fallback.reasons if r != "match.below_threshold"] + ["llm.composed"],
        notes=[n for n in fallback.notes],
        generated=True,
        versions=fallback.versions,
    )
