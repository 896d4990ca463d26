from __future__ import annotations

import os

from bot import strings
from bot.errors import ConfigError
from bot.guard.base import ScanContext, ScanResult, Scanner


class ModelClassifierScanner(Scanner):
    """Optional: a `transformers` text-classification model (local folder or hub id).

    Blocks when the score of `label` reaches `threshold`. Loaded once, at build time.
    """

    name = "model_classifier"
    order = {"input": 110}
    default_on = False  # joins the input list when `model_classifier.model` is set
    defaults = {"model": "", "threshold": 0.9, "label": "INJECTION", "max_chars": 2000}
    replies = {"injection": strings.BLOCK_INJECTION}

    def __init__(self, model: str, threshold: float = defaults["threshold"], label: str = defaults["label"],
                 max_chars: int = defaults["max_chars"]):
        if not model:
            raise ConfigError("guard policy 'model_classifier.model' is empty: set a local model folder or hub id")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        try:
            from transformers import pipeline

            self.pipe = pipeline("text-classification", model=model, tokenizer=model, device=-1)
        except Exception as exc:  # noqa: BLE001 - any load failure becomes a fix-it message
            raise ConfigError(
                f"could not load guard model_classifier {model!r} ({type(exc).__name__}: {exc}). "
                "Point 'model_classifier.model' at a local text-classification model folder."
            ) from exc
        self.threshold, self.label, self.max_chars = threshold, label.lower(), max_chars

    def scan(self, text: str, context: ScanContext) -> ScanResult:
        if not text.strip():
            return ScanResult(text)
        scores = self.pipe(text[: self.max_chars], truncation=True, top_k=None)
        score = max((s["score"] for s in scores if s["label"].lower() == self.label), default=0.0)
        if score >= self.threshold:
            return ScanResult(text, "block", float(score), "injection.model")
        return ScanResult(text)
