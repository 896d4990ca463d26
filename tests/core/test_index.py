"""Index storage: model identity stored with the vectors, content hashes skip re-embedding."""

from __future__ import annotations

import hashlib
import shutil

import numpy as np
import pytest
import sqlite_utils

from bot.search.embeddings import Embedder, ModelIdentity, get_embedder
from bot.errors import HelpbotError
from bot.search.store import build_index, open_db, stored_identity
from bot.knowledge import load_knowledge
from bot.core.snapshot import build_snapshot
from tests.plugin_support import installed
from tests.conftest import SAMPLE_KNOWLEDGE


class HashEmbedder(Embedder):
    """A different 'model': bag of hashed words. Installed like a plugin (helpbot.embedders)."""

    def __init__(self, device=None, batch_size=64):
        self.identity = ModelIdentity("test-hash", 64, "hash-v1")
        self.device, self.batch_size, self.calls = device, batch_size, 0

    def embed_batch(self, texts):
        self.calls += len(texts)
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for i, text in enumerate(texts):
            for word in text.lower().split():
                out[i, int(hashlib.md5(word.encode()).hexdigest(), 16) % 64] += 1
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


@pytest.fixture
def kb_copy(tmp_path):
    dest = tmp_path / "knowledge"
    shutil.copytree(SAMPLE_KNOWLEDGE, dest)
    return dest


def test_identity_stored_and_only_changed_chunks_reembedded(tmp_path, kb_copy, embedder):
    db_path = tmp_path / "index.db"
    first = build_snapshot(kb_copy, db_path, embedder)
    db = sqlite_utils.Database(db_path)
    assert stored_identity(db) == embedder.identity
    assert db["chunks"].count == len(first.kb.chunks)
    assert first.stats.embedded_texts > 0 and not first.stats.removed

    faq = sorted((kb_copy / "faq").glob("*.yaml"))[0]
    text = faq.read_text(encoding="utf-8")
    first_id = load_knowledge(kb_copy).chunks[0].id
    faq.write_text(text.replace("questions:", "questions:\n    - A brand new phrasing about zebra stripes?", 1), encoding="utf-8")
    second = build_snapshot(kb_copy, db_path, embedder)
    assert second.stats.embedded_texts == 1
    assert second.stats.changed == [first_id] and not second.stats.added

    third = build_snapshot(kb_copy, db_path, embedder)
    assert third.stats.embedded_texts == 0 and not third.stats.changed


def test_different_model_reembeds_everything(tmp_path, kb_copy, embedder):
    db_path = tmp_path / "index.db"
    build_snapshot(kb_copy, db_path, embedder)
    with installed(tmp_path / "plugins", {"helpbot.embedders": {"test-hash": f"{__name__}:HashEmbedder"}}):
        other = get_embedder("test-hash")
    snap = build_snapshot(kb_copy, db_path, other)
    assert snap.stats.model_changed
    assert snap.stats.reused_texts == 0 and snap.stats.embedded_texts > 0
    assert stored_identity(sqlite_utils.Database(db_path)).name == "test-hash"
    # Hash embedder's vectors are 64-d: the index really uses them.
    assert snap.index.rows.shape[1] == 64


def test_removed_chunks_leave_the_index(tmp_path, kb_copy, embedder):
    db_path = tmp_path / "index.db"
    build_snapshot(kb_copy, db_path, embedder)
    victim = sorted((kb_copy / "docs").glob("*.md"))[0]
    victim.unlink()
    snap = build_snapshot(kb_copy, db_path, embedder)
    assert snap.stats.removed and all(r.startswith(f"docs/{victim.name}#") for r in snap.stats.removed)


def test_corrupt_database_gives_fix_it_message(tmp_path):
    bad = tmp_path / "index.db"
    bad.write_bytes(b"this is not a database" * 100)
    with pytest.raises(HelpbotError, match="delete it and run `helpbot index`"):
        open_db(bad)


def test_failed_build_leaves_old_rows(tmp_path, kb_copy, embedder):
    db_path = tmp_path / "index.db"
    build_snapshot(kb_copy, db_path, embedder)

    class Exploding(HashEmbedder):
        def __init__(self):
            super().__init__()
            self.identity = embedder.identity  # same identity: only new texts are embedded

        def embed_batch(self, texts):
            raise RuntimeError("boom")

    faq = sorted((kb_copy / "faq").glob("*.yaml"))[0]
    faq.write_text(faq.read_text(encoding="utf-8").replace("answer:", "answer: Changed.", 1), encoding="utf-8")
    faq.write_text(faq.read_text(encoding="utf-8").replace("questions:", "questions:\n    - Totally new question text?", 1), encoding="utf-8")
    db = open_db(db_path)
    before = db["chunks"].count
    hashes = {r["id"]: r["hash"] for r in db["chunks"].rows}
    with pytest.raises(RuntimeError):
        build_index(db, load_knowledge(kb_copy), Exploding())
    assert db["chunks"].count == before
    assert {r["id"]: r["hash"] for r in db["chunks"].rows} == hashes
