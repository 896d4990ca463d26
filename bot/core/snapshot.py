"""A snapshot: validated knowledge + its search index + fitted thresholds, built together, swapped whole.

In: the knowledge folder, the index database and the embedder. Out: a `Snapshot` the pipeline
serves from until a reload swaps in the next one; what is derived from it lives on it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable
from urllib.parse import urlparse

from bot.guard.knowledge import KnowledgeFinding, ScanCache, excluded_ids, scan_chunks
from bot.routing import calibrate, docs
from bot.routing.calibrate import Calibration
from bot.search.embeddings import Embedder
from bot.search.index import SearchIndex
from bot.search.passages import PassageCache, PassageIndex
from bot.routing.features import Geometry
from bot.routing.keywords import CountCache
from bot.search.store import IndexStats, build_index, cached_vectors, get_meta, open_db, set_meta
from bot.knowledge.loader import KnowledgeBase, load_knowledge


@dataclass
class Snapshot:
    kb: KnowledgeBase
    index: SearchIndex
    calibration: Calibration
    stats: IndexStats
    model: str
    findings: list[KnowledgeFinding]  # what the index-time scan found; stored in the index too
    geometry: Geometry | None = None  # the router's arrays for `index`, built once (calibration and router share it)

    @cached_property
    def with_secrets(self) -> frozenset[str]:
        """Ids of chunks holding a secret: masked in answers, passages and citation titles."""
        return frozenset(f.chunk_id for f in self.findings if f.reason == "knowledge.secret")

    @cached_property
    def flagged(self) -> frozenset[str]:
        """Ids of chunks never given to the LLM as passages (logic answers may still cite them)."""
        return excluded_ids(self.findings)

    @property
    def versions(self) -> dict[str, str]:
        return {"kb": self.kb.fingerprint, "embedding": self.model, "calibration": self.calibration.key[:16]}

    @cached_property
    def allowed_domains(self) -> tuple[str, ...]:
        """Hosts the knowledge links to: the only ones an answer may link to."""
        return tuple(sorted({urlparse(c.url).netloc for c in self.kb.chunks if c.url}))


@dataclass
class BuildCache:
    """What a snapshot build computes per chunk, kept for the next build (on the bot): a reload after
    one changed file recomputes that file's chunks only. Each part holds the latest build's chunks."""

    passages: PassageCache = field(default_factory=PassageCache)  # doc sections' passage data and vectors
    counts: CountCache = field(default_factory=CountCache)  # entries' word counts (keyword agreement)


def build_snapshot(
    knowledge_dir: Path,
    db_path: Path,
    embedder: Embedder,
    progress: Callable[[int, int], None] | None = None,
    rrf_k: int = 60,
    kb: KnowledgeBase | None = None,
    findings: list[KnowledgeFinding] | None = None,
    scan_cache: ScanCache | None = None,
    cache: BuildCache | None = None,
) -> Snapshot:
    """Validate, scan, index (re-embedding only what changed), calibrate if needed. Raises on invalid knowledge.

    `kb` and `findings` (`scan_chunks(kb.chunks)`) may be passed when the caller has them already;
    `cache` (the bot's) keeps per-chunk data for the next build."""
    cache = cache or BuildCache()
    kb = kb or load_knowledge(knowledge_dir)
    findings = scan_chunks(kb.chunks, scan_cache) if findings is None else findings
    db = open_db(db_path)
    try:
        stats = build_index(db, kb, embedder, progress)
        with db.conn:
            set_meta(db, knowledge_findings=json.dumps([f.to_dict() for f in findings], ensure_ascii=False))
        index = SearchIndex.from_vectors(kb.chunks, stats.vectors, rrf_k)
        stats.vectors = None
        geometry = Geometry(index, cache.counts)
        key = calibrate.calibration_key(kb.fingerprint, embedder.identity)
        stored = get_meta(db, "calibration")
        calibration = Calibration.from_json(stored) if stored else None
        if calibration is None or calibration.key != key:
            calibration = fit_calibration(db, index, embedder, key, geometry)
            with db.conn:
                set_meta(db, calibration=calibration.to_json())
        if any(c.kind == "doc" for c in kb.chunks):
            with db.conn:  # doc sections as passages (bot/search/passages.py); vectors cached like the rest
                index.passages = PassageIndex.build(kb.chunks, lambda texts: cached_vectors(db, embedder, texts, progress)[0],
                                                    cache.passages, embedder.identity.fingerprint)
                off_topic, _ = cached_vectors(db, embedder, calibrate.calibration_texts()[0])
            index.passages.floor = docs.off_topic_floor(index.passages, off_topic)
    finally:
        db.conn.close()
    return Snapshot(kb, index, calibration, stats, embedder.identity.name, findings, geometry)


def fit_calibration(db, index: SearchIndex, embedder: Embedder, key: str, geometry: Geometry | None = None) -> Calibration:
    out_of_scope, unknown = calibrate.calibration_texts()
    with db.conn:
        neg, _ = cached_vectors(db, embedder, out_of_scope)
        unk, _ = cached_vectors(db, embedder, unknown)
    return calibrate.fit(geometry or Geometry(index), (out_of_scope, neg), (unknown, unk), key)
