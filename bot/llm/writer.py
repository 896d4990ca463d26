"""The LLM step: compose an answer from retrieved passages, check it, or fall back to logic.

In: the question, the passages (search hits) it may cite, the logic reply to fall back on, and the
output check to run. Out: a generated, cited, checked `Reply`, or the fallback with the reason.

While the model writes, an optional `progress` sink sees the line position and the answer so far.
Every preview passes the output guard's partial-text checks first; a preview that fails them stops
the generation at once and the logic answer goes out instead.
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import Awaitable, Callable, Protocol

from bot.guard.secrets import mask_secrets
from bot.llm import Passage
from bot.messages import Progress, Reply, Source

log = logging.getLogger("helpbot")

ProgressSink = Callable[[Progress], Awaitable[None]]
PREVIEW_INTERVAL_S = 0.25  # at most this often is a preview checked and shown; adapters throttle further


class _Previews:
    """Checks and hands out previews; a failing sink is switched off, never fails the answer."""

    def __init__(self, sink: ProgressSink | None, check: Callable[[str], object]):
        self.sink, self.check = sink, check
        self.last = 0.0
        self.shown = ""

    async def send(self, progress: Progress) -> None:
        if self.sink is None:
            return
        try:
            await self.sink(progress)
        except Exception:  # noqa: BLE001 - a platform hiccup must not cost the answer
            log.warning("progress sink failed; no more previews for this answer", exc_info=True)
            self.sink = None

    async def text(self, text: str) -> object | None:
        """Show `text` if it is time to; returns the guard outcome when it blocked."""
        now = time.monotonic()
        if self.sink is None or now - self.last < PREVIEW_INTERVAL_S or not text.strip():
            return None
        self.last = now
        out = self.check(text)
        if out.blocked:
            return out
        if out.text != self.shown:
            self.shown = out.text
            await self.send(Progress("text", out.text))
        return None


class OutputCheck(Protocol):
    """The output guard for one message: `check(text, sources, canary=, system_prompt=, partial=)`."""

    def __call__(self, text: str, sources: list[str], *, canary: str, system_prompt: str, partial: bool): ...


class AnswerWriter:
    """Writes an answer with the bot's `Generator`; the pipeline owns one and calls `write`."""

    def __init__(self, generator):
        self.generator = generator

    async def write(self, question: str, hits: list, fallback: Reply, check: OutputCheck,
                    progress: ProgressSink | None = None) -> Reply:
        """Generate from `hits`; any failure returns `fallback` with the reason."""
        generator = self.generator
        # Secrets in a knowledge file never reach the model (nor a remote LLM API).
        passages = [Passage(h.chunk.id, h.chunk.title, h.chunk.url, mask_secrets(h.chunk.text)) for h in hits]
        fallback.versions.update(generator.versions)
        passage_texts = [p.text for p in passages]
        system_prompt = generator.prompt.system_message(generator.canary)

        def checked(text: str, partial: bool):
            return check(text, passage_texts, canary=generator.canary, system_prompt=system_prompt, partial=partial)

        previews = _Previews(progress, lambda text: checked(text, True))
        so_far, result = "", None
        async with contextlib.aclosing(generator.stream(question, passages)) as events:
            async for event in events:
                if event.kind == "queued":
                    await previews.send(Progress("queued", position=event.position))
                elif event.kind == "token":
                    so_far += event.text
                    blocked = await previews.text(so_far)
                    if blocked is not None:  # leaving the loop stops the model at its next token
                        fallback.reasons += ["llm.fallback.output_guard", "llm.stopped_early", *blocked.reasons]
                        return fallback
                else:
                    result = event.result
        if not result.ok or result.unknown or not result.citations:
            why = result.reason or ("unknown" if result.unknown else "uncited")
            fallback.reasons.append(f"llm.fallback.{why}")
            return fallback
        out = checked(result.text, False)
        if out.blocked:
            fallback.reasons += ["llm.fallback.output_guard", *out.reasons]
            return fallback
        by_id = {h.chunk.id: h for h in hits}
        sources = [Source(i, by_id[i].chunk.title, by_id[i].chunk.url, round(by_id[i].score, 4), by_id[i].chunk.kind)
                   for i in result.citations if i in by_id]
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
