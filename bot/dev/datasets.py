"""The one reader for the development data sets in ../shared/data (never shipped with the project),
and the one on-disk embedding cache the offline tools share.

Every reader returns plain Python lists and an empty result when its file is absent; `data_dir()`
is None when the whole folder is absent. Only numbers derived from these sets ship with helpbot
(see `bot.dev.guard_train`); their text never enters the project.
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


def default_shared() -> Path:
    """Where the data sets are looked for: $HELPBOT_SHARED_DATA, else ../shared/data beside the repo."""
    return Path(os.environ.get("HELPBOT_SHARED_DATA") or REPO_ROOT / ".." / "shared" / "data")


def data_dir(path: str | os.PathLike | None = None) -> Path | None:
    candidate = Path(path or default_shared())
    return candidate.resolve() if candidate.is_dir() else None


def _csv(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    csv.field_size_limit(10**9)
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _json(path: Path, empty):
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else empty


def deepset(root: Path) -> list[tuple[str, int]]:
    return [(r["text"], int(r["label"])) for r in _csv(root / "prompt_injections" / "deepset_train.csv")]


def giskard(root: Path) -> list[str]:
    return [r["prompt"] for r in _csv(root / "prompt_injections" / "giskard.csv")]


def wild_jailbreaks(root: Path) -> list[str]:
    return [r["prompt"] for r in _csv(root / "jailbreaks" / "wild_jailbreaks_2023_05_07.csv")]


def clinc_splits(root: Path) -> dict[str, list[tuple[str, str]]]:
    """CLINC150 splits: {"train"|"val"|"oos_train"|"oos_val": [(text, intent)]}."""
    data = _json(root / "clinc150" / "clinc150_train_val.json", {})
    return {split: [(t, i) for t, i in rows] for split, rows in data.items()}


def clinc(root: Path, split: str) -> list[tuple[str, str]]:
    return clinc_splits(root).get(split, [])


def clinc_domains(root: Path) -> dict[str, list[str]]:
    return _json(root / "clinc150" / "domains.json", {})


def clinc_in_scope(root: Path, split: str = "val") -> list[str]:
    domains = clinc_domains(root)
    intents = {i for d in IN_SCOPE_DOMAINS for i in domains.get(d, [])}
    return [t for t, i in clinc(root, split) if i in intents]


def banking77(root: Path) -> list[tuple[str, str]]:
    """(text, category) rows of BANKING77 train."""
    return [(r["text"], r["category"]) for r in _csv(root / "banking77" / "train.csv")]


def alpaca(root: Path) -> list[str]:
    return [r["instruction"] for r in _json(root / "generic_requests" / "alpaca_harmless_dev.json", [])]


def presidio(root: Path) -> list[dict]:
    return _json(root / "pii" / "presidio_synth_dev.json", [])


def reserved(row: int) -> bool:
    """Every fifth BANKING77 / alpaca row is kept out of training: the banking77 benchmark's test set."""
    return row % 5 == 0


def split_indices(n: int, test_share: float = 0.3, seed: int = 13) -> tuple[np.ndarray, np.ndarray]:
    """Deterministic train/test split of range(n)."""
    order = np.random.default_rng(seed).permutation(n)
    cut = int(round(n * (1 - test_share)))
    return np.sort(order[:cut]), np.sort(order[cut:])


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    path = Path(base) / "helpbot" / "embeddings"
    path.mkdir(parents=True, exist_ok=True)
    return path


def embed_cached(embedder, texts: list[str], batch_size: int = 256) -> np.ndarray:
    """Embed `texts`, reusing vectors cached on disk for this model (keyed by text hash; dev use only)."""
    ident = embedder.identity
    path = cache_dir() / f"{ident.name.replace('/', '_')}-{ident.fingerprint}.npz"
    cache: dict[str, np.ndarray] = {}
    if path.is_file():
        with np.load(path) as data:
            cache = dict(zip(data["keys"].tolist(), data["vectors"]))
    keys = [hashlib.sha256(t.encode("utf-8", "surrogatepass")).hexdigest()[:24] for t in texts]
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
