"""The core: every message goes guard -> router -> knowledge search -> answer -> output guard -> audit.

`HelpBot.handle` is the one entry point for adapters. The work is split into three steps so the
eval command runs the very same code on a whole batch: `prepare` (plain logic, no model),
`decide` (given the message's embeddings), and `finish` (audit). Each message is embedded once,
in one batch call, and that embedding is shared by every stage that needs it.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from typing import Callable, NamedTuple
from pathlib import Path


from bot import __version__, language, strings
from bot.core import coverage
from bot.i18n import language_of, localize
from bot.core.audit import AuditLog
from bot.config import Settings
from bot.search.embedcache import EmbeddingCache
from bot.llm import build_generator
from bot.search.embeddings import Embedder, get_embedder
from bot.errors import HelpbotError
from bot.core.snapshot import BuildCache, Snapshot, build_snapshot
from bot.guard.knowledge import ScanCache
from bot.knowledge import KnowledgeBase, load_knowledge
from bot.knowledge.loader import ParseCache
from bot.guard.secrets import mask_secrets
from bot.messages import Message, Reply
from bot.core.metrics import Metrics
from bot.core.modes import ChannelModes
from bot.core.store import open_store
from bot.core.store_shared import shared_state
from bot.paths import index_path, resolve_knowledge
from bot.llm.writer import AnswerWriter, ProgressSink
from bot.guard import GuardOutcome
from bot.guard.stage import GuardStage, redact_for_log
from bot.routing.router import PartDecision, Router, smalltalk_kind
from bot.routing import compose
from bot.routing.plan import Plan
from bot.routing.style import StyleRequest, find_style

log = logging.getLogger("helpbot")


@dataclass
class Staged:
    """What a reload participant loaded and validated: `apply()` starts using it once the new
    knowledge is swapped in. `note` (validation) and apply's returned string go in the reload summary."""

    apply: Callable[[], "str | None"]
    note: str | None = None


Stage = Callable[[], Staged]  # load and validate; raise to fail the reload
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "")
    return _CONTROL.sub("", text).strip()


class FirstLook(NamedTuple):
    """A message's plain-logic first look, before the guard."""

    text: str  # cleaned and cut to max_input_chars
    truncated: bool
    smalltalk: str | None  # greeting, thanks, goodbye, help
    style: StyleRequest
    body: str  # `text` without an unsupported style request: what the rest of the pipeline reads


@dataclass
class Prepared:
    """A message after plain-logic steps: what to embed, or an answer that needs no model."""

    message: Message
    text: str
    parts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    reply: Reply | None = None  # set when logic alone answers (empty, smalltalk, ...)
    stripped: GuardOutcome | None = None  # the guard removed an injected part: the answer is partial
    generation: list = field(default_factory=list)  # passages for the LLM, when one may compose
    guard_risk: float = 0.0
    plan: Plan | None = None  # the router's reading: parts, style request, follow-up
    lang: str = "en"  # the language replies are written in (bot/i18n.py)

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
        generator=None,
        metrics: Metrics | None = None,
        modes: ChannelModes | None = None,
    ):
        self.settings = settings
        self.knowledge_dir = resolve_knowledge(settings, knowledge_dir)
        self.metrics = metrics or Metrics()
        # The database first: a wrong HELPBOT_DATABASE_URL fails at start, before the slow model load.
        self.audit = audit or AuditLog(open_store(settings), redact_for_log, settings.audit["store_text"],
                                       on_failure=self.metrics.audit_write_failed)
        self.parse_cache = ParseCache()  # parsed FAQ files by text: a reload parses changed files only
        kb = load_knowledge(self.knowledge_dir, self.parse_cache)  # invalid knowledge fails before the slow model load too
        e = settings.embedding
        self.embedder = embedder or get_embedder(e["model"], e["device"] or None, e["batch_size"])
        self.languages = coverage.languages(self.embedder, e.get("languages"))  # what the embedder reads
        # The guard's embedding layers use thresholds fitted on one model: with another they stay off.
        fitted = coverage.guard_model()
        self.guard_embeds = fitted in (None, self.embedder.identity.name)
        if not self.guard_embeds:
            log.warning("guard: embedding layers off (fitted on %s, not %s); rule layers on", fitted, self.embedder.identity.name)
        if self.audit.on_failure is None:
            self.audit.on_failure = self.metrics.audit_write_failed
        self.modes = modes or ChannelModes(self.audit.store)
        # Replicas sharing PostgreSQL share conversation memory and the guard's counters too.
        self.memory, guard_state = shared_state(self.audit.store, settings, self.metrics)
        self.guard = GuardStage(settings, guard_state)
        for channel, mode in self.modes.all().items():  # modes admins set per channel survive restarts
            self.guard.set_channel_mode(channel, mode)
        self.generator = generator if generator is not None else build_generator(dict(settings.llm))
        self.writer = AnswerWriter(self.generator) if self.generator is not None else None
        self.metrics.llm_queue_depth.set_function(lambda: self.generator.queue_depth if self.generator else 0)
        self._reload_stages: list[Stage] = [self._stage_guard]
        self._swap_lock = threading.Lock()
        self.sync = None  # replicas sharing a store: bot/ops/sync.py (started with the ops server)
        self.scan_cache = ScanCache()  # the knowledge scan's verdicts by text: reloads rescan changed chunks only
        self.build_cache = BuildCache()  # per-chunk data of the last build: reloads redo changed chunks only
        self.snapshot: Snapshot = self._build(kb, progress)
        self.router = self._router(self.snapshot)

    # -- knowledge ---------------------------------------------------------------------------
    def _build(self, kb: KnowledgeBase, progress=None) -> Snapshot:
        return build_snapshot(
            self.knowledge_dir,
            index_path(self.settings, self.knowledge_dir),
            self.embedder,
            progress=progress,
            rrf_k=self.settings.retrieval["rrf_k"],
            scan_cache=self.scan_cache,
            cache=self.build_cache,
            kb=kb,
        )

    def _router(self, snapshot: Snapshot) -> Router:
        r = self.settings.router
        return Router(
            snapshot.index, snapshot.calibration, snapshot.kb.service, self.memory,
            self.settings.retrieval["top_k"], r["ambiguity_margin"], r["max_parts"], snapshot.geometry,
        )

    # -- reload participants -----------------------------------------------------------------
    def on_reload(self, stage: Stage) -> None:
        """Reload `stage` with the knowledge (see `Stage`); e.g. a prompt file or a policy."""
        self._reload_stages.append(stage)

    def stage_reload(self) -> list[Staged]:
        """Load and validate every participant; raises (nothing applied) if one fails."""
        return [stage() for stage in self._reload_stages]

    def _stage_guard(self) -> Staged:
        new = GuardStage(self.settings, self.guard.state)  # re-reads the policy file; ConfigError if bad

        def apply() -> str | None:
            for channel, mode in self.guard.input.channel_modes.items():
                new.set_channel_mode(channel, mode)
            self.guard = new
            return "guard policy reloaded" if self.settings.guard["policy"] else None

        return Staged(apply)

    def swap(self, snapshot: Snapshot) -> None:
        """Serve `snapshot` from now on. Messages already in flight finish on the old one."""
        router = self._router(snapshot)
        with self._swap_lock:
            self.snapshot, self.router = snapshot, router

    @property
    def service(self) -> str:
        return self.snapshot.kb.service

    def _fmt(self, template: str, snapshot: Snapshot | None = None, lang: str = "en", **extra) -> str:
        """`template` (from bot/strings.py) in `lang`, with the knowledge's service, topics ... filled in."""
        snap = snapshot or self.snapshot
        scope = snap.kb.scope
        topics = scope.get("topics") or []
        example = _example(snap, lang)
        values = {
            "service": scope.get("service", "this service"),
            "topics": ", ".join(topics[:6]) if topics else scope.get("description", ""),
            "contact": scope.get("contact", ""),
            "example": example,
            "crisis_resources": self.settings.guard.get("crisis_resources") or localize(strings.CRISIS_RESOURCES, lang),
        }
        template = localize(template, lang)
        values.update(extra)
        return template.format(**values)

    # -- the three steps -------------------------------------------------------------------
    def prepare(self, message: Message, snapshot: Snapshot | None = None, cache: EmbeddingCache | None = None,
                expected: tuple[str, Plan] | None = None) -> Prepared:
        look = self._first_look(message)
        lang = language_of(look.text)
        prepared = Prepared(message, look.text, lang=lang)
        fmt = lambda t, **kw: self._fmt(t, snapshot, lang, **kw)  # noqa: E731 - in the asker's language
        if look.truncated:
            limit = self.settings.core["max_input_chars"]
            prepared.notes.append(fmt(strings.TRUNCATED, limit=limit))
            prepared.reasons.append("input.truncated")
        if not look.text:
            prepared.reply = Reply("smalltalk", fmt(strings.EMPTY), reasons=["input.empty"])
            return prepared
        text, kind, style = look.body, look.smalltalk, look.style
        unread = self._unread_language(text)
        if cache is not None and not kind and not unread:
            expected = expected or self._expected(text, message, style)
            cache.prefetch([expected[0], *expected[1].embed_texts])
        # Guard first. Smalltalk, and a language the model cannot read, get the rules-only guard pass.
        outcome = self.guard.check_input(text, message, cache if self.guard_embeds and not kind and not unread else None)
        prepared.reasons += outcome.reasons + outcome.flags
        prepared.notes += [localize(n, lang) for n in self.guard.user_notes(outcome)]
        prepared.guard_risk = outcome.risk
        if outcome.blocked:
            prepared.reply = self.guard.block_reply(outcome, fmt)
            return prepared
        if outcome.verdict == "strip":
            prepared.stripped = outcome
            prepared.notes.append(fmt(strings.STRIPPED_INJECTION))
        text = outcome.text
        if kind:
            template = {"greeting": strings.GREETING, "thanks": strings.THANKS, "goodbye": strings.GOODBYE, "help": strings.HELP}[kind]
            prepared.reply = Reply("smalltalk", fmt(template), reasons=[f"smalltalk.{kind}"])
            return prepared
        if unread:
            prepared.reply = self._unread_reply(text, unread, message, style, snapshot)
            return prepared
        if expected is not None and expected[0] == text:
            plan = expected[1]  # the guard changed nothing: the plan made for prefetching stands
        else:
            plan = self.router.plan(text, message.conversation_key, style)
        prepared.plan = plan
        if plan.decline:
            prepared.reply = compose.decline_reply(plan, fmt)
        prepared.parts = plan.embed_texts
        return prepared

    def _first_look(self, message: Message) -> FirstLook:
        whole = clean_text(message.text)
        limit = self.settings.core["max_input_chars"]
        text = whole[:limit]
        style = find_style(text)
        # An unsupported style request ("as a haiku") is cut first: nothing downstream ever reads it.
        body = style.text if style.found and not style.bare else text
        return FirstLook(text, len(whole) > limit, smalltalk_kind(text), style, body)

    def _unread_language(self, text: str) -> str | None:
        """The message's language when the embedder reads none of its sentences (bot/core/coverage.py), else None."""
        codes = coverage.sentence_languages(text)
        return None if any(coverage.reads(self.languages, c) for c in codes) else language.detect(text)

    def _unread_reply(self, text: str, code: str, message: Message, style, snapshot: Snapshot | None) -> Reply:
        """Never a cosine match in a language the model cannot read: strong exact keyword evidence, else say so."""
        snap = snapshot or self.snapshot
        router = self.router if snap is self.snapshot else self._router(snap)
        plan = router.plan(text, message.conversation_key, style)
        decisions = coverage.keyword_decisions(plan.parts, router.geometry.keywords, snap.index.chunks)
        lang = language_of(text)
        fmt = lambda template, **extra: self._fmt(template, snap, lang, **extra)  # noqa: E731
        reads = coverage.describe(self.languages, lang)
        not_read = fmt(strings.LANGUAGE_NOT_READ, language=language.name(code, lang), languages=reads)
        if decisions and any(d.route == "answer" for d in decisions):
            # A compound: the parts with strong keyword evidence answered, the rest declined with the reason.
            reply = compose.compose(plan, decisions, fmt, snap.kb.scope.get("contact"), {})
            if reply.route == "partial":
                reply.notes.append(not_read)
            return reply
        return Reply("unknown", not_read, reasons=["language.not_read"])

    def _unread_parts(self, decisions: list[PartDecision], router: Router) -> list[PartDecision]:
        """In a message the model reads in part: a part in another language keeps no cosine match."""
        unread = [d.part for d in decisions if d.part is not None and not coverage.reads(self.languages, language.detect(d.text))]
        if not unread:
            return decisions
        found = {id(d.part): d for d in coverage.keyword_decisions(unread, router.geometry.keywords, router.index.chunks)}
        return [found.get(id(d.part), d) for d in decisions]

    def _expected(self, text: str, message: Message, style) -> tuple[str, Plan]:
        """What will be embedded: the text the guard's embedding layers read (the guard says which),
        and the router's plan (parts) of it. Prefetched together, it makes one model pass per message."""
        view = self.guard.embed_view(text)
        return view, self.router.plan(view, message.conversation_key, style)

    def decide(self, prepared: Prepared, vectors: EmbeddingCache, snapshot: Snapshot) -> Reply:
        if prepared.reply is not None:
            reply = prepared.reply
        else:
            router = self.router if snapshot is self.snapshot else self._router(snapshot)
            decisions = self._unread_parts(router.decide_plan(prepared.plan, vectors), router)
            reply = self._compose(prepared, decisions, snapshot)
            router.remember(prepared.plan, decisions)
            if prepared.stripped and reply.route == "answer":
                reply.route = "partial"
            elif prepared.stripped and reply.route == "refuse":
                # An injection around an off-topic request: nothing legitimate was asked.
                reply = self.guard.block_reply(prepared.stripped, lambda t: self._fmt(t, snapshot, prepared.lang))
            if reply.route == "unknown" and self.generator is not None:
                # In scope, but no single entry answers it: the one case an LLM may compose.
                floor = snapshot.calibration.scope_threshold
                flagged = snapshot.flagged  # the index-time scan found instructions or hidden text
                hits = [h for d in decisions if d.route == "unknown" for h in d.hits
                        if h.score >= floor and h.chunk.id not in flagged]
                prepared.generation = hits[:10]
        reply.notes = prepared.notes + reply.notes
        reply.reasons = prepared.reasons + reply.reasons
        reply.versions = {"helpbot": __version__, **snapshot.versions}
        reply.language = prepared.lang
        return reply

    def _compose(self, prepared: Prepared, decisions: list[PartDecision], snapshot: Snapshot) -> Reply:
        cal = snapshot.calibration
        thresholds = {"answer_threshold": cal.answer_threshold, "scope_threshold": cal.scope_threshold}
        fmt = lambda template, **extra: self._fmt(template, snapshot, prepared.lang, **extra)  # noqa: E731
        return compose.compose(prepared.plan, decisions, fmt, snapshot.kb.scope.get("contact"), thresholds)

    # -- entry points ----------------------------------------------------------------------
    def _logic(self, message: Message) -> tuple[Reply, Prepared, Snapshot]:
        snapshot = self.snapshot  # one snapshot for the whole message, even if a reload swaps it
        cache = EmbeddingCache(self.embedder)
        prepared = Prepared(message, "")
        try:
            prepared = self.prepare(message, snapshot, cache)
            reply = self.decide(prepared, cache, snapshot)
        except HelpbotError:
            raise
        except Exception:  # noqa: BLE001 - one bad message never takes the bot down
            log.exception("pipeline error")
            lang = language_of(message.text)
            reply = Reply("unknown", localize(strings.ERROR, lang), reasons=["error.pipeline"], ephemeral=True, language=lang)
        return reply, prepared, snapshot

    def _finish(self, message: Message, reply: Reply, snapshot: Snapshot, started: float, audit: bool = True) -> Reply:
        """Output guard, metrics, audit: the same for logic and generated answers."""
        if reply.route in ("answer", "partial") and reply.sources:
            chunks = snapshot.kb.by_id()
            texts = [chunks[s.id].text for s in reply.sources if s.id in chunks]
            out = self.guard.check_output(reply.answer, message, texts, allowed_domains=snapshot.allowed_domains)
            flagged = [s.id for s in reply.sources if s.id in snapshot.flagged]
            if flagged:  # a logic answer may cite a flagged chunk; admins see it in the audit and log
                reply.reasons.append("knowledge.flagged_source")
                log.warning("answer cites flagged knowledge %s", ", ".join(flagged))
            if "output.secret_in_knowledge" in out.reasons and not out.blocked:
                reply.reasons.append("output.secret_in_knowledge")
            _mask_cited_titles(reply, snapshot)
            if out.blocked:
                reply = Reply("unknown", self._fmt(strings.UNKNOWN, snapshot, reply.language, contact_line=""),
                              reasons=reply.reasons + out.reasons, versions=reply.versions, ephemeral=True,
                              language=reply.language)
            else:
                reply.answer = out.text
        elif reply.route == "unknown" and reply.sources:  # the closest sections: their titles are shown
            _mask_cited_titles(reply, snapshot)
        reply.latency_ms = (time.perf_counter() - started) * 1000
        self.metrics.observe(reply, message.platform)
        if audit:
            text = self.guard.redact_text(clean_text(message.text))[:2000] if self.audit.store_text else ""
            reply.audit_id = self.audit.record(message, reply, text)
        return reply

    def answer_sync(self, message: Message, audit: bool = True) -> Reply:
        """Logic-only handling in the calling thread (no LLM): what `ask` and benchmarks use."""
        started = time.perf_counter()
        reply, _, snapshot = self._logic(message)
        return self._finish(message, reply, snapshot, started, audit)

    async def handle(self, message: Message, progress: ProgressSink | None = None) -> Reply:
        """The entry point for adapters: logic in a worker thread, then the LLM only if needed.

        `progress` (optional) is awaited with `Progress` updates while an answer is generated, so an
        adapter can show the line position and the checked text so far; it is never called for
        answers that logic gives. The returned reply is final either way."""
        if self.generator is None:
            return await asyncio.to_thread(self.answer_sync, message)
        started = time.perf_counter()
        reply, prepared, snapshot = await asyncio.to_thread(self._logic, message)
        if prepared.generation:
            guard = self.guard

            def check(text: str, sources: list[str], **kw):
                return guard.check_output(text, message, sources, allowed_domains=snapshot.allowed_domains, **kw)

            whole = prepared.plan.whole if prepared.plan is not None else None  # a tentative split, undone
            question = whole.text if whole is not None else " ".join(prepared.parts) or prepared.text
            reply = await self.writer.write(question, prepared.generation, reply, check, progress)
        return await asyncio.to_thread(self._finish, message, reply, snapshot, started)

    def answer_batch(self, messages: list[Message], batch_size: int = 256) -> list[Reply]:
        """The eval path: prepare all, embed all distinct texts in batches, decide each. No audit.

        A message whose conversation already has one in the batch starts a new batch, so a
        follow-up is prepared after the question it follows was decided (and remembered).
        """
        snapshot = self.snapshot
        replies: list[Reply] = []
        for batch in _batches(messages, batch_size):
            t0 = time.perf_counter()
            cache = EmbeddingCache(self.embedder)
            # One batched pass for the texts the guard and router will ask for; misses embed lazily.
            expected: list[tuple[str, Plan] | None] = []
            for m in batch:
                look = self._first_look(m)
                wanted = look.text and not look.smalltalk and not self._unread_language(look.body)
                expected.append(self._expected(look.body, m, look.style) if wanted else None)
            cache.prefetch([t for e in expected if e for t in (e[0], *e[1].embed_texts)])
            prepared = [self.prepare(m, snapshot, cache, e) for m, e in zip(batch, expected)]
            cache.prefetch([t for p in prepared for t in p.embed_texts])
            chunk = [self.decide(p, cache, snapshot) for p in prepared]
            per = (time.perf_counter() - t0) * 1000 / max(1, len(chunk))
            for r in chunk:
                r.latency_ms = per
            replies.extend(chunk)
        return replies


def _batches(messages: list[Message], size: int):
    batch: list[Message] = []
    seen: set[str] = set()
    for message in messages:
        if len(batch) >= size or message.conversation_key in seen:
            yield batch
            batch, seen = [], set()
        batch.append(message)
        seen.add(message.conversation_key)
    if batch:
        yield batch


def _example(snapshot: Snapshot, lang: str) -> str:
    """An FAQ question to show as an example: one written in `lang` when the knowledge has one."""
    faq = lambda: (c for c in snapshot.kb.chunks if c.kind == "faq")  # noqa: E731 - stops at the first found
    mine = next((q for c in faq() for q in c.questions if language_of(q) == lang), None) if lang != "en" else None
    return mine or next((c.questions[0] for c in faq()), "How do I get started?")


def _mask_cited_titles(reply: Reply, snapshot: Snapshot) -> None:
    """A secret in a heading would otherwise show in a citation (and in a closest-sections list)."""
    for source in reply.sources:
        if source.id in snapshot.with_secrets:
            masked = mask_secrets(source.title)
            reply.answer = reply.answer.replace(compose.link_text(source.title), compose.link_text(masked))
            source.title = masked
