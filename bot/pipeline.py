"""The core: every message goes guard -> router -> knowledge search -> answer -> output guard -> audit.

`HelpBot.handle` is the one entry point for adapters. The work is split into three steps so the
eval command runs the very same code on a whole batch: `prepare` (plain logic, no model),
`decide` (given the message's embeddings), and `finish` (audit). Each message is embedded once,
in one batch call, and that embedding is shared by every stage that needs it.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path


from bot import __version__, strings
from bot.answer import extract
from bot.audit import AuditLog
from bot.config import Settings
from bot.embedcache import EmbeddingCache
from bot.embeddings import Embedder, get_embedder
from bot.errors import HelpbotError
from bot.kb.snapshot import Snapshot, build_snapshot
from bot.messages import Message, Reply, Source
from bot.ops import metrics
from bot.paths import audit_path, index_path, resolve_knowledge
from bot.redact import redact_basic
from bot.router import PartDecision, Router, smalltalk_kind, strip_greeting

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "")
    return _CONTROL.sub("", text).strip()


@dataclass
class Prepared:
    """A message after plain-logic steps: what to embed, or an answer that needs no model."""

    message: Message
    text: str
    parts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    reply: Reply | None = None  # set when logic alone answers (empty, smalltalk, ...)

    @property
    def embed_texts(self) -> list[str]:
        return [] if self.reply else list(dict.fromkeys(self.parts))


class HelpBot:
    def __init__(
        self,
        settings: Settings,
        knowledge_dir: str | Path | None = None,
        embedder: Embedder | None = None,
        audit: AuditLog | None = None,
        progress=None,
    ):
        self.settings = settings
        self.knowledge_dir = resolve_knowledge(settings, knowledge_dir)
        self.embedder = embedder or get_embedder(settings.embedding["model"], settings.embedding["device"] or None)
        self.audit = audit or AuditLog(audit_path(settings), redact_basic)
        self._swap_lock = threading.Lock()
        self.snapshot: Snapshot = self._build(progress)
        self.router = self._router(self.snapshot)

    # -- knowledge ---------------------------------------------------------------------------
    def _build(self, progress=None) -> Snapshot:
        return build_snapshot(
            self.knowledge_dir,
            index_path(self.settings, self.knowledge_dir),
            self.embedder,
            progress=progress,
            rrf_k=self.settings.retrieval["rrf_k"],
        )

    def _router(self, snapshot: Snapshot) -> Router:
        r = self.settings.retrieval
        return Router(snapshot.calibration, r["top_k"], r["vector_candidates"], self.settings.router["ambiguity_margin"])

    def swap(self, snapshot: Snapshot) -> None:
        """Serve `snapshot` from now on. Messages already in flight finish on the old one."""
        router = self._router(snapshot)
        with self._swap_lock:
            self.snapshot, self.router = snapshot, router

    @property
    def service(self) -> str:
        return self.snapshot.kb.service

    def _fmt(self, template: str, snapshot: Snapshot | None = None, **extra) -> str:
        snap = snapshot or self.snapshot
        scope = snap.kb.scope
        topics = scope.get("topics") or []
        example = next((c.questions[0] for c in snap.kb.chunks if c.kind == "faq"), "How do I get started?")
        values = {
            "service": scope.get("service", "this service"),
            "topics": ", ".join(topics[:6]) if topics else scope.get("description", ""),
            "contact": scope.get("contact", ""),
            "example": example,
        }
        values.update(extra)
        return template.format(**values)

    # -- the three steps -------------------------------------------------------------------
    def prepare(self, message: Message, snapshot: Snapshot | None = None) -> Prepared:
        text = clean_text(message.text)
        prepared = Prepared(message, text)
        limit = self.settings.core["max_input_chars"]
        if len(text) > limit:
            prepared.text = text = text[:limit]
            prepared.notes.append(strings.TRUNCATED.format(limit=limit))
            prepared.reasons.append("input.truncated")
        if not text:
            prepared.reply = Reply("smalltalk", self._fmt(strings.EMPTY, snapshot), reasons=["input.empty"])
            return prepared
        kind = smalltalk_kind(text)
        if kind:
            template = {"greeting": strings.GREETING, "thanks": strings.THANKS, "help": strings.HELP}[kind]
            prepared.reply = Reply("smalltalk", self._fmt(template, snapshot), reasons=[f"smalltalk.{kind}"])
            return prepared
        prepared.parts = [strip_greeting(text) or text]
        return prepared

    def decide(self, prepared: Prepared, vectors: EmbeddingCache, snapshot: Snapshot) -> Reply:
        if prepared.reply is not None:
            reply = prepared.reply
        else:
            router = self.router if snapshot is self.snapshot else self._router(snapshot)
            decisions = [router.decide(p, vectors(p), snapshot.index) for p in prepared.parts]
            reply = self._compose(prepared, decisions, snapshot)
        reply.notes = prepared.notes + reply.notes
        reply.reasons = prepared.reasons + reply.reasons
        reply.versions = {"helpbot": __version__, **snapshot.versions}
        return reply

    def _compose(self, prepared: Prepared, decisions: list[PartDecision], snapshot: Snapshot) -> Reply:
        cal = snapshot.calibration
        answered = [d for d in decisions if d.route == "answer"]
        declined = [d for d in decisions if d.route != "answer"]
        scores = {"answer_threshold": cal.answer_threshold, "scope_threshold": cal.scope_threshold}
        if decisions:
            scores["top"] = max(d.score for d in decisions)
        reasons = [r for d in decisions for r in d.reasons]
        if not answered:
            route = "unknown" if any(d.route == "unknown" for d in decisions) else "refuse"
            if route == "unknown":
                contact = snapshot.kb.scope.get("contact")
                line = strings.CONTACT_LINE.format(contact=contact) if contact else strings.NO_CONTACT_LINE
                text = self._fmt(strings.UNKNOWN, snapshot, contact_line=line)
            else:
                text = self._fmt(strings.REFUSE, snapshot)
            return Reply(route, text, scores=scores, reasons=reasons, ephemeral=route == "refuse")
        blocks, sources, notes = [], [], []
        for d in answered:
            best = d.hits[0]
            blocks.append(extract(best.chunk, d.text))
            sources.append(Source(best.chunk.id, best.chunk.title, best.chunk.url, round(best.score, 4), best.chunk.kind))
            if d.alternative is not None:
                alt = d.alternative.chunk
                notes.append(strings.DID_YOU_MEAN.format(title=alt.title))
                sources.append(Source(alt.id, alt.title, alt.url, round(d.alternative.score, 4), alt.kind))
        for d in declined:
            notes.append(self._fmt(strings.PARTIAL_DECLINE, snapshot, part=d.text[:80]))
        route = "partial" if declined else "answer"
        return Reply(route, "\n\n".join(blocks), sources=sources, scores=scores, reasons=reasons, notes=notes)

    # -- entry points ----------------------------------------------------------------------
    def _embed(self, texts: list[str]) -> EmbeddingCache:
        cache = EmbeddingCache(self.embedder)
        cache.prefetch(texts)
        return cache

    def answer_sync(self, message: Message, audit: bool = True) -> Reply:
        """Handle one message in the calling thread (the async `handle` runs this in a worker)."""
        started = time.perf_counter()
        snapshot = self.snapshot  # one snapshot for the whole message, even if a reload swaps it
        try:
            prepared = self.prepare(message, snapshot)
            reply = self.decide(prepared, self._embed(prepared.embed_texts), snapshot)
        except HelpbotError:
            raise
        except Exception:  # noqa: BLE001 - one bad message never takes the bot down
            import logging

            logging.getLogger("helpbot").exception("pipeline error")
            reply = Reply("unknown", strings.ERROR, reasons=["error.pipeline"], ephemeral=True)
        reply.latency_ms = (time.perf_counter() - started) * 1000
        metrics.observe(reply, message.platform)
        if audit:
            reply.audit_id = self.audit.record(message, reply, redact_basic(clean_text(message.text))[:2000])
        return reply

    async def handle(self, message: Message) -> Reply:
        return await asyncio.to_thread(self.answer_sync, message)

    def answer_batch(self, messages: list[Message], batch_size: int = 256) -> list[Reply]:
        """The eval path: prepare all, embed all distinct texts in batches, decide each. No audit."""
        snapshot = self.snapshot
        replies: list[Reply] = []
        for start in range(0, len(messages), batch_size):
            t0 = time.perf_counter()
            prepared = [self.prepare(m, snapshot) for m in messages[start : start + batch_size]]
            texts = list(dict.fromkeys(t for p in prepared for t in p.embed_texts))
            vectors = self._embed(texts)
            chunk = [self.decide(p, vectors, snapshot) for p in prepared]
            per = (time.perf_counter() - t0) * 1000 / max(1, len(chunk))
            for r in chunk:
                r.latency_ms = per
            replies.extend(chunk)
        return replies
