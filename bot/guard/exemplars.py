"""Exemplar sets (attacks, harms, benign anchors, split goals) and their embeddings.

Vectors ship in bot/data/guard/exemplar_vectors.npz (made by `python -m bot.dev.guard_train`
with all-MiniLM-L6-v2). If a text file changed since, or the pipeline's embedder disagrees
with the shipped vectors, the set is re-embedded once through the pipeline's `embed`.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "guard"
VECTORS_FILE = DATA_DIR / "exemplar_vectors.npz"
SETS = ("attack_exemplars", "harm_exemplars", "benign_anchors", "split_goals")
log = logging.getLogger("helpbot.guard")


@dataclass
class ExemplarSet:
    name: str
    labels: list[str]
    texts: list[str]
    digest: str
    matrix: np.ndarray | None = None  # (n, dim) float32, rows unit length
    own: bool = False  # matrix was embedded in this process (not the shipped one)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


def digest(texts: list[str]) -> str:
    return hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]


def parse(text: str) -> tuple[list[str], list[str]]:
    labels, texts = [], []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        label, sep, body = line.partition(" | ")
        labels.append(label.strip() if sep else "")
        texts.append(body.strip() if sep else line)
    return labels, texts


_SETS: dict[str, ExemplarSet] = {}
_checked = {"done": False, "shipped_ok": True}
_GLOBAL_LOCK = threading.RLock()


def _shipped() -> dict[str, np.ndarray]:
    if not VECTORS_FILE.exists():
        return {}
    with np.load(VECTORS_FILE) as z:
        return {k: z[k] for k in z.files}


def get_set(name: str) -> ExemplarSet:
    with _GLOBAL_LOCK:
        if name not in _SETS:
            raw = (DATA_DIR / f"{name}.txt").read_text(encoding="utf-8")
            labels, texts = parse(raw)
            es = ExemplarSet(name, labels, texts, digest(texts))
            shipped = _shipped()
            if f"{name}__digest" in shipped and str(shipped[f"{name}__digest"]) == es.digest:
                es.matrix = shipped[name].astype(np.float32)
            _SETS[name] = es
        return _SETS[name]


def _verify_shipped(embed: Callable[[str], np.ndarray]) -> None:
    """Once per process: does the pipeline's embedder reproduce the shipped vectors?"""
    es = get_set("attack_exemplars")
    if es.matrix is None:
        _checked.update(done=True, shipped_ok=False)
        return
    probe = np.asarray(embed(es.texts[0]), dtype=np.float32)
    ok = probe.shape == es.matrix[0].shape and float(probe @ es.matrix[0]) > 0.98
    if not ok:
        log.warning("guard: shipped exemplar vectors do not match the embedder; re-embedding")
    _checked.update(done=True, shipped_ok=ok)


def _usable(es: ExemplarSet) -> bool:
    return es.matrix is not None and (es.own or _checked["shipped_ok"])


def vectors(name: str, embed: Callable[[str], np.ndarray]) -> np.ndarray:
    """The set's (n, dim) matrix, embedding it through `embed` if nothing usable shipped."""
    if not _checked["done"]:
        with _GLOBAL_LOCK:
            if not _checked["done"]:
                _verify_shipped(embed)
    es = get_set(name)
    if not _usable(es):
        with es.lock:
            if not _usable(es):
                es.matrix = np.stack([np.asarray(embed(t), dtype=np.float32) for t in es.texts])
                es.own = True
    return es.matrix


def reset() -> None:
    """Forget loaded sets and the embedder check (tests switch embedders)."""
    with _GLOBAL_LOCK:
        _SETS.clear()
        _checked.update(done=False, shipped_ok=True)


def build_vectors(embed_batch: Callable[[list[str]], np.ndarray], path: Path = VECTORS_FILE) -> Path:
    """Write exemplar_vectors.npz for every set (float16 to keep the file small)."""
    arrays: dict[str, np.ndarray] = {}
    for name in SETS:
        _, texts = parse((DATA_DIR / f"{name}.txt").read_text(encoding="utf-8"))
        arrays[name] = np.asarray(embed_batch(texts), dtype=np.float16)
        arrays[f"{name}__digest"] = np.array(digest(texts))
    np.savez_compressed(path, **arrays)
    reset()
    return path
