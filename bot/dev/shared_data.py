"""Read the development data sets in ../shared/data, and embed them once (cached on disk).

Only numbers derived from these sets ship with helpbot (see `bot.dev.router_train`); their text
never enters the project. Everything here returns empty results when a file is absent.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from pathlib import Path

import numpy as np


def default_shared() -> Path:
    return Path(os.environ.get("HELPBOT_SHARED_DATA", Path(__file__).resolve().parents[2].parent / "shared" / "data"))


def clinc(shared: Path) -> dict[str, list[tuple[str, str]]]:
    """CLINC150 splits: {"train"|"val"|"oos_train"|"oos_val": [(text, intent)]}."""
    path = shared / "clinc150" / "clinc150_train_val.json"
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {split: [(t, i) for t, i in rows] for split, rows in data.items()}


def clinc_domains(shared: Path) -> dict[str, list[str]]:
    path = shared / "clinc150" / "domains.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def banking77(shared: Path) -> list[tuple[str, str]]:
    path = shared / "banking77" / "train.csv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as fh:
        return [(row["text"], row["category"]) for row in csv.DictReader(fh)]


def alpaca(shared: Path) -> list[str]:
    path = shared / "generic_requests" / "alpaca_harmless_dev.json"
    if not path.is_file():
        return []
    return [row["instruction"] for row in json.loads(path.read_text(encoding="utf-8"))]


def reserved(row: int) -> bool:
    """Every fifth BANKING77 / alpaca row is kept out of training: the banking77 benchmark's test set."""
    return row % 5 == 0


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    path = Path(base) / "helpbot" / "embeddings"
    path.mkdir(parents=True, exist_ok=True)
    return path


def embed_cached(embedder, texts: list[str], batch_size: int = 256) -> np.ndarray:
    """Embed `texts`, reusing vectors cached on disk for this model (keyed by text hash)."""
    ident = embedder.identity
    path = cache_dir() / f"{ident.name.replace('/', '_')}-{ident.fingerprint}.npz"
    cache: dict[str, np.ndarray] = {}
    if path.is_file():
        with np.load(path) as data:
            cache = dict(zip(data["keys"].tolist(), data["vectors"]))
    keys = [hashlib.sha256(t.encode("utf-8")).hexdigest()[:24] for t in texts]
    missing = list(dict.fromkeys(k for k in keys if k not in cache))
    by_key = dict(zip(keys, texts))
    for start in range(0, len(missing), batch_size):
        batch = missing[start : start + batch_size]
        cache.update(zip(batch, embedder.embed_batch([by_key[k] for k in batch])))
        if (start // batch_size) % 16 == 15 or start + batch_size >= len(missing):
            _save(path, cache)  # every few thousand texts, so an interrupted run keeps its work
    if not texts:
        return np.zeros((0, ident.dimension), np.float32)
    return np.stack([cache[k] for k in keys]).astype(np.float32)


def _save(path: Path, cache: dict[str, np.ndarray]) -> None:
    tmp = path.with_name(path.stem + ".tmp.npz")
    np.savez(tmp, keys=np.array(list(cache)), vectors=np.stack(list(cache.values())).astype(np.float32))
    os.replace(tmp, path)
