"""Plain sentence-transformers models (Transformer -> mean Pooling [-> Normalize], no prompts), such
as all-MiniLM-L6-v2, run with transformers alone: the same vectors as `SentenceTransformer.encode`
without importing sentence-transformers (~50 MB of modules: scikit-learn, scipy) or paying
encode's per-call bookkeeping."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

_PLAIN_MODULES = ["sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling",
                  "sentence_transformers.models.Normalize"]
_MEAN_ONLY = {"pooling_mode_mean_tokens": True, "pooling_mode_cls_token": False, "pooling_mode_max_tokens": False,
              "pooling_mode_mean_sqrt_len_tokens": False}
_ST_PREFIX = "0.model."  # where SentenceTransformer's state_dict keeps the transformer's weights


def _json(path: Path) -> dict | list | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def plain_folder(path: str) -> int | None:
    """max_seq_length when `path` is a local folder holding a plain model, else None."""
    folder = Path(path)
    modules = _json(folder / "modules.json")
    if not isinstance(modules, list) or [m.get("type") for m in modules] not in (_PLAIN_MODULES, _PLAIN_MODULES[:2]):
        return None
    if modules[0].get("path") or modules[1].get("path") != "1_Pooling":
        return None
    pooling = _json(folder / "1_Pooling" / "config.json") or {}
    extra = {k: v for k, v in pooling.items() if k.startswith("pooling_mode") and k not in _MEAN_ONLY and v}
    if extra or any(pooling.get(k, False) != v for k, v in _MEAN_ONLY.items()) or pooling.get("include_prompt") is False:
        return None
    st_config = _json(folder / "config_sentence_transformers.json") or {}
    if any((st_config.get("prompts") or {}).values()) or st_config.get("default_prompt_name"):
        return None
    bert = _json(folder / "sentence_bert_config.json") or {}
    if set(bert) - {"max_seq_length", "do_lower_case"} or bert.get("do_lower_case"):
        return None
    return int(bert["max_seq_length"]) if "max_seq_length" in bert else None


class DirectModel:
    """Tokenizer + transformer of a plain folder (see `plain_folder`)."""

    def __init__(self, path: str, device: str, max_seq_length: int):
        from transformers import AutoModel, AutoTokenizer

        self.tokenizer = AutoTokenizer.from_pretrained(path, model_max_length=max_seq_length)
        self.transformer = AutoModel.from_pretrained(path).to(device).eval()
        self.dimension = int(self.transformer.config.hidden_size)

    def state_items(self):
        """(key, tensor) as SentenceTransformer's state_dict names them (the identity fingerprint reads them)."""
        return ((_ST_PREFIX + k, v) for k, v in self.transformer.state_dict().items())


def direct_encode(tokenizer, transformer, texts: list[str], batch_size: int, dim: int) -> np.ndarray:
    """What `SentenceTransformer.encode(texts, normalize_embeddings=True)` returns for a plain model:
    the same length-sorted batches, tokenizer call and mean pooling."""
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
