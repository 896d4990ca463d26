"""Readers for the development data sets in ../shared/data (never shipped with the project).

Every reader returns plain Python lists; `data_dir()` is None when the folder is absent.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[2]
IN_SCOPE_DOMAINS = ("banking", "credit_cards")


def data_dir(path: str | os.PathLike | None = None) -> Path | None:
    candidate = Path(path or os.environ.get("HELPBOT_SHARED_DATA") or REPO_ROOT / ".." / "shared" / "data")
    return candidate.resolve() if candidate.is_dir() else None


def _csv(path: Path) -> list[dict]:
    csv.field_size_limit(10**9)
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def deepset(root: Path) -> list[tuple[str, int]]:
    return [(r["text"], int(r["label"])) for r in _csv(root / "prompt_injections" / "deepset_train.csv")]


def giskard(root: Path) -> list[str]:
    return [r["prompt"] for r in _csv(root / "prompt_injections" / "giskard.csv")]


def wild_jailbreaks(root: Path) -> list[str]:
    return [r["prompt"] for r in _csv(root / "jailbreaks" / "wild_jailbreaks_2023_05_07.csv")]


def clinc(root: Path, split: str) -> list[tuple[str, str]]:
    data = json.loads((root / "clinc150" / "clinc150_train_val.json").read_text(encoding="utf-8"))
    return [(t, i) for t, i in data[split]]


def clinc_in_scope(root: Path, split: str = "val") -> list[str]:
    domains = json.loads((root / "clinc150" / "domains.json").read_text(encoding="utf-8"))
    intents = {i for d in IN_SCOPE_DOMAINS for i in domains[d]}
    return [t for t, i in clinc(root, split) if i in intents]


def banking77(root: Path) -> list[str]:
    return [r["text"] for r in _csv(root / "banking77" / "train.csv")]


def alpaca(root: Path) -> list[str]:
    rows = json.loads((root / "generic_requests" / "alpaca_harmless_dev.json").read_text(encoding="utf-8"))
    return [r["instruction"] for r in rows]


def presidio(root: Path) -> list[dict]:
    return json.loads((root / "pii" / "presidio_synth_dev.json").read_text(encoding="utf-8"))


def split_indices(n: int, test_share: float = 0.3, seed: int = 13) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic train/test split of range(n)."""
    order = np.random.default_rng(seed).permutation(n)
    cut = int(round(n * (1 - test_share)))
    return np.sort(order[:cut]), np.sort(order[cut:])


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "helpbot" / "guard-embeddings"


_STORES: dict[Path, tuple[dict[str, int], np.ndarray]] = {}


def embed_cached(embedder, texts: list[str]) -> np.ndarray:
    """Embed with an on-disk per-text cache keyed by the model fingerprint (dev use only)."""
    folder = _cache_dir() / embedder.identity.fingerprint
    if folder not in _STORES:
        if (folder / "vectors.npy").exists():
            _STORES[folder] = (json.loads((folder / "index.json").read_text()), np.load(folder / "vectors.npy"))
        else:
            _STORES[folder] = ({}, np.zeros((0, embedder.identity.dimension), dtype=np.float32))
    index, matrix = _STORES[folder]
    keys = [hashlib.sha1(t.encode("utf-8", "surrogatepass")).hexdigest() for t in texts]
    todo = list(dict.fromkeys(k for k in keys if k not in index))
    if todo:
        text_of = dict(zip(keys, texts))
        new = embedder.embed_batch([text_of[k] for k in todo])
        for k in todo:
            index[k] = len(index)
        matrix = np.concatenate([matrix, new.astype(np.float32)])
        _STORES[folder] = (index, matrix)
        folder.mkdir(parents=True, exist_ok=True)
        np.save(folder / "vectors.npy", matrix)
        (folder / "index.json").write_text(json.dumps(index))
    return matrix[[index[k] for k in keys]]
