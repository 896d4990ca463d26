"""Optional detection of people's names with a local NER model (off by default).

Set `names_model = "/path/to/a/token-classification/model"` in the `[pii]` table of the guard
policy file (a folder that `transformers.pipeline("token-classification")` can load, e.g. a saved
`dslim/bert-base-NER`): names then become `[NAME]` in the text the bot routes and gives to an LLM
and in the audit log (the JSON logs redact structured identifiers only). It is a second model pass per message (tens of milliseconds on a CPU),
which is why it is off. Without `transformers`, or with a folder it cannot load, the bot refuses to
start and says which (a privacy setting must not silently do nothing).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

from bot.errors import ConfigError

PERSON_LABELS = frozenset({"PER", "PERSON", "B-PER", "I-PER", "B-PERSON", "I-PERSON"})
CACHE_SIZE = 256


class NameDetector:
    """(start, end) spans of people's names, from a local token-classification model."""

    def __init__(self, model: str, threshold: float = 0.8):
        if not Path(model).is_dir():
            raise ConfigError(f"guard policy pii.names_model: {model!r} is not a folder; point it at a saved "
                              "token-classification model, or set it to \"\" to turn name detection off")
        try:
            from transformers import pipeline
        except ImportError as exc:
            raise ConfigError("guard policy pii.names_model is set but `transformers` is not installed: "
                              "pip install transformers torch, or set names_model = \"\"") from exc
        try:
            self._pipe = pipeline("token-classification", model=model, tokenizer=model,
                                  aggregation_strategy="simple", device=-1)
        except Exception as exc:  # noqa: BLE001 - any load failure is a configuration problem
            raise ConfigError(f"guard policy pii.names_model: cannot load {model!r} as a token-classification "
                              f"model ({exc}); fix the folder or set names_model = \"\"") from exc
        self.threshold = threshold
        self._cache: OrderedDict[str, tuple[tuple[int, int], ...]] = OrderedDict()
        self._lock = threading.Lock()

    def find(self, text: str) -> tuple[tuple[int, int], ...]:
        if not text.strip():
            return ()
        with self._lock:
            if text in self._cache:
                return self._cache[text]
        found = tuple((int(e["start"]), int(e["end"])) for e in self._pipe(text[:2000])
                      if str(e.get("entity_group", e.get("entity", ""))).upper() in PERSON_LABELS
                      and float(e.get("score", 0.0)) >= self.threshold and e.get("end", 0) > e.get("start", 0))
        with self._lock:
            self._cache[text] = found
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return found
