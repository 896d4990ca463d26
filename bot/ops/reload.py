"""Knowledge reload: validate everything, build beside the live snapshot, recalibrate, swap.

The heavy work runs in a worker thread, so the event loop keeps answering from the old snapshot
until the new one is swapped in whole. One reload runs at a time per bot. A failed reload changes
nothing that is served and reports every problem.

What else reloads with the knowledge registers on the bot (`bot.on_reload(stage)`; the guard
policy does so when the bot is built). The transaction: `bot.stage_reload()` loads and validates
every participant before anything is built (one raising fails the reload; a dry run applies
nothing); after the new snapshot is swapped in, each staged `apply()` runs. Staged notes and
apply's returned strings are shown in the reload summary (a failure to apply is reported, not raised).
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from bot import strings
from bot.routing import calibrate
from bot.routing.calibrate import Calibration
from bot.search.embeddings import Embedder
from bot.errors import HelpbotError, KnowledgeError
from bot.search.index import SearchIndex
from bot.search.store import cached_vectors, get_meta, open_db, set_meta
from bot.guard.knowledge import scan_chunks
from bot.knowledge.loader import KnowledgeBase, load_knowledge
from bot.core.snapshot import build_snapshot, fit_calibration
from bot.paths import index_path

log = logging.getLogger("helpbot.ops.reload")

_LOCKS: "weakref.WeakKeyDictionary[Any, tuple[asyncio.AbstractEventLoop, asyncio.Lock]]" = weakref.WeakKeyDictionary()
_CAL_FIELDS = ("answer_threshold", "scope_threshold", "ambiguity_margin")


@dataclass
class ReloadResult:
    ok: bool
    dry_run: bool = False
    who: str = ""
    diff: dict = field(default_factory=dict)
    calibration: dict = field(default_factory=dict)  # field -> [old, new]
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)  # the knowledge scan's, one line each
    embedded_texts: int = 0
    reused_texts: int = 0
    duration_ms: float = 0.0
    busy: bool = False
    replicas: list[dict] = field(default_factory=list)  # replicas sharing the store: what each serves now

    def changes(self) -> str:
        parts = []
        for kind, label in (("faq", "FAQ entries"), ("doc", "doc sections")):
            d = self.diff.get(kind, {})
            counts = [f"{len(d.get(k, []))} {k}" for k in ("added", "changed", "removed")]
            parts.append(f"{label} " + ", ".join(counts))
        return "; ".join(parts)

    def summary(self) -> str:
        """Text for the admin who asked: what changed, or every error."""
        if self.busy:
            return strings.RELOAD_BUSY
        if not self.ok:
            return "\n".join([strings.RELOAD_FAILED, *(f"- {e}" for e in self.errors)])
        template = strings.RELOAD_DRY_RUN if self.dry_run else strings.RELOAD_OK
        lines = [template.format(seconds=self.duration_ms / 1000, changes=self.changes())]
        for kind in ("faq", "doc"):
            for what in ("added", "changed", "removed"):
                ids = self.diff.get(kind, {}).get(what, [])
                if ids:
                    shown = ", ".join(ids[:10]) + (f" (+{len(ids) - 10} more)" if len(ids) > 10 else "")
                    lines.append(f"  {kind} {what}: {shown}")
        if self.calibration:
            moves = [f"{k} {old:.3f} -> {new:.3f}" for k, (old, new) in self.calibration.items()]
            lines.append("  calibration: " + ", ".join(moves))
        else:
            lines.append("  calibration: unchanged")
        lines.append(f"  texts embedded: {self.embedded_texts}, reused: {self.reused_texts}")
        if self.findings:
            lines.append("  " + strings.KNOWLEDGE_FINDINGS.format(count=len(self.findings)))
            lines += [f"    {f}" for f in self.findings[:20]]
            if len(self.findings) > 20:
                lines.append(f"    (+{len(self.findings) - 20} more: run `helpbot index` to list them all)")
        lines += [f"  {n}" for n in self.notes]
        lines += [strings.RELOAD_REPLICA[r["state"]].format(**r) for r in self.replicas]
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {**asdict(self), "summary": self.summary()}


class SharingEmbedder(Embedder):
    """The bot's embedder, used by a reload in small batches with a pause between them.

    Questions share the model (and its lock) with the reload; this way a question waits for one
    small batch instead of the whole re-embedding.
    """

    def __init__(self, inner: Embedder, batch_size: int = 32, pause_s: float = 0.005):
        self.inner, self.batch_size, self.pause_s = inner, batch_size, pause_s
        self.identity, self.languages = inner.identity, getattr(inner, "languages", Embedder.languages)

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        if len(texts) <= self.batch_size:
            return self.inner.embed_batch(texts)
        parts = []
        for start in range(0, len(texts), self.batch_size):
            parts.append(self.inner.embed_batch(texts[start : start + self.batch_size]))
            time.sleep(self.pause_s)
        return np.concatenate(parts)


def diff_knowledge(old: KnowledgeBase, new: KnowledgeBase) -> dict:
    """FAQ entries and doc sections added, changed (content hash) and removed, by chunk id."""
    before, after = old.by_id(), new.by_id()
    diff: dict = {kind: {"added": [], "changed": [], "removed": []} for kind in ("faq", "doc")}
    for cid, chunk in after.items():
        if cid not in before:
            diff[chunk.kind]["added"].append(cid)
        elif before[cid].content_hash != chunk.content_hash:
            diff[chunk.kind]["changed"].append(cid)
    for cid, chunk in before.items():
        if cid not in after:
            diff[chunk.kind]["removed"].append(cid)
    for d in diff.values():
        for ids in d.values():
            ids.sort()
    diff["scope_changed"] = old.scope != new.scope
    return diff


def calibration_change(old: Calibration, new: Calibration) -> dict:
    return {f: [getattr(old, f), getattr(new, f)] for f in _CAL_FIELDS if getattr(old, f) != getattr(new, f)}


def preview_calibration(bot, kb: KnowledgeBase) -> tuple[Calibration, int]:
    """Fit thresholds for `kb` without touching the live snapshot or the index's chunks.

    New texts go into the vector cache (keyed by text hash) and the fitted thresholds into the
    index's calibration cache (keyed by knowledge and model fingerprints), so the real reload
    reuses both. Returns (calibration, texts embedded now).
    """
    key = calibrate.calibration_key(kb.fingerprint, bot.embedder.identity)
    if key == bot.snapshot.calibration.key:
        return bot.snapshot.calibration, 0
    embedder = SharingEmbedder(bot.embedder)
    db = open_db(index_path(bot.settings, bot.knowledge_dir))
    try:
        stored = get_meta(db, "calibration")
        if stored and Calibration.from_json(stored).key == key:
            return Calibration.from_json(stored), 0
        texts = [t for c in kb.chunks for t in c.embed_texts]
        vectors, embedded = cached_vectors(db, embedder, texts)
        index = SearchIndex.from_vectors(kb.chunks, vectors, bot.settings.retrieval["rrf_k"])
        calibration = fit_calibration(db, index, embedder, key)
        with db.conn:
            set_meta(db, calibration=calibration.to_json())
        return calibration, embedded
    finally:
        db.conn.close()


def _apply(staged: list) -> list[str]:
    """Start using what was staged; a failure to apply is only reported (the knowledge is swapped in)."""
    notes = []
    for step in staged:
        try:
            notes.append(step.apply())
        except Exception as exc:  # noqa: BLE001 - the knowledge is already swapped in
            log.exception("reload participant failed to apply")
            notes.append(f"warning: {getattr(step.apply, '__qualname__', 'reload step')} failed to apply: {exc}")
    return [n for n in notes if n]


def reload_sync(bot, who: str, dry_run: bool = False) -> ReloadResult:
    """The whole reload in the calling thread. Never raises: problems end up in `errors`."""
    started = time.perf_counter()
    result = ReloadResult(ok=False, dry_run=dry_run, who=who)
    try:
        kb = load_knowledge(bot.knowledge_dir, bot.parse_cache)  # 1) validate everything first (changed files parsed)
        live = bot.snapshot
        result.diff = diff_knowledge(live.kb, kb)
        findings = scan_chunks(kb.chunks, bot.scan_cache)  # changed chunks only; the snapshot reuses it
        result.findings = [f.describe() for f in findings]
        staged = bot.stage_reload()  # raises to fail the reload; nothing applied yet
        result.notes = [s.note for s in staged if s.note]
        if dry_run:
            calibration, result.embedded_texts = preview_calibration(bot, kb)
            result.reused_texts = sum(len(c.embed_texts) for c in kb.chunks) - result.embedded_texts
        else:
            # 2) + 3) index beside the live one (in memory, untouched) and refit if kb changed
            snapshot = build_snapshot(
                bot.knowledge_dir,
                index_path(bot.settings, bot.knowledge_dir),
                SharingEmbedder(bot.embedder),
                rrf_k=bot.settings.retrieval["rrf_k"],
                kb=kb,
                findings=findings,
            )
            calibration = snapshot.calibration
            result.embedded_texts, result.reused_texts = snapshot.stats.embedded_texts, snapshot.stats.reused_texts
            bot.swap(snapshot)  # 4) atomically
            result.notes += _apply(staged)
        result.calibration = calibration_change(live.calibration, calibration)
        result.ok = True
    except KnowledgeError as exc:
        result.errors = list(exc.errors)
    except HelpbotError as exc:
        result.errors = [str(exc)]
    except Exception as exc:  # noqa: BLE001 - a reload must never take the bot down
        log.exception("reload failed")
        result.errors = [f"{type(exc).__name__}: {exc}"]
    result.duration_ms = (time.perf_counter() - started) * 1000
    return result


def _lock(bot) -> asyncio.Lock:
    """The bot's reload lock for the running event loop (a lock cannot be shared across loops)."""
    loop = asyncio.get_running_loop()
    held = _LOCKS.get(bot)
    if held is None or (held[0] is not loop and not held[1].locked()):
        held = _LOCKS[bot] = (loop, asyncio.Lock())
    return held[1]


def is_reloading(bot) -> bool:
    held = _LOCKS.get(bot)
    return bool(held and held[1].locked())


def _record(bot, result: ReloadResult) -> None:
    diff = {**result.diff, "calibration": result.calibration}
    bot.audit.record_reload(result.who, result.ok, result.dry_run, diff, result.errors, result.duration_ms)
    if not result.dry_run:
        bot.metrics.reload_finished(result.ok)
    log.log(
        logging.INFO if result.ok else logging.WARNING,
        "reload finished",
        extra={
            "event": "reload",
            "who": result.who,
            "ok": result.ok,
            "dry_run": result.dry_run,
            "changes": result.changes(),
            "errors": result.errors,
            "embedded_texts": result.embedded_texts,
            "findings": len(result.findings),
            "duration_ms": round(result.duration_ms, 1),
        },
    )


async def reload_knowledge(bot, who: str, dry_run: bool = False, wait: bool = False) -> ReloadResult:
    """Reload `bot`'s knowledge. While one runs, a second call waits (`wait`) or is told it is busy."""
    lock = _lock(bot)
    if lock.locked() and not wait:
        return ReloadResult(ok=False, dry_run=dry_run, who=who, busy=True, errors=[strings.RELOAD_BUSY])
    async with lock:
        result = await asyncio.to_thread(reload_sync, bot, who, dry_run)
        await asyncio.to_thread(_record, bot, result)
    if getattr(bot, "sync", None) is not None:  # replicas sharing a store: every one reloads (bot/ops/sync.py)
        await bot.sync.after_reload(result)
    return result
