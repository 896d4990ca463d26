"""Hugging Face transformers backend: a local folder or Hub id, on cuda, mps or cpu."""

from __future__ import annotations

import threading
from typing import Iterator

from bot.errors import ConfigError
from bot.llm.base import LLM, GenerationRequest, LLMError

QUANTIZATIONS = ("none", "4bit", "8bit", "gptq", "awq")


def pick_device(device: str | None) -> str:
    import torch

    if device and device != "auto":
        return device
    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def until_stop(pieces: Iterator[str], stops: list[str]) -> Iterator[str]:
    """Pass pieces through, ending before the first stop string (held-back text never leaks)."""
    if not stops:
        yield from pieces
        return
    keep = max(map(len, stops)) - 1
    buf = ""
    for piece in pieces:
        buf += piece
        hits = [i for i in (buf.find(s) for s in stops) if i >= 0]
        if hits:
            if buf[: min(hits)]:
                yield buf[: min(hits)]
            return
        if len(buf) > keep:
            yield buf[: len(buf) - keep]
            buf = buf[len(buf) - keep:]
    if buf:
        yield buf


def _load_kwargs(quantization: str, device: str) -> dict:
    import torch

    if quantization not in QUANTIZATIONS:
        raise ConfigError(f"[llm] quantization must be one of {', '.join(QUANTIZATIONS)}, got {quantization!r}")
    if quantization in ("4bit", "8bit"):
        try:
            from transformers import BitsAndBytesConfig
            import bitsandbytes  # noqa: F401
        except ImportError as exc:
            raise ConfigError(f"[llm] quantization {quantization!r} needs bitsandbytes: pip install bitsandbytes") from exc
        if not device.startswith("cuda"):
            raise ConfigError(f"[llm] quantization {quantization!r} needs a CUDA GPU (device is {device!r}); "
                              "use quantization = 'none' or a GGUF model with llama-cpp on CPU")
        bnb = (BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_compute_dtype=torch.float16)
               if quantization == "4bit" else BitsAndBytesConfig(load_in_8bit=True))
        return {"quantization_config": bnb, "device_map": device}
    # gptq/awq: transformers reads the method from the model's own config.json.
    import transformers

    dtype = torch.float32 if device == "cpu" else torch.float16
    major, minor = (int(x) for x in transformers.__version__.split(".")[:2])
    return {"dtype" if (major, minor) >= (4, 56) else "torch_dtype": dtype}  # renamed in 4.56


class TransformersLLM(LLM):
    name = "transformers"
    settings = {"n_ctx": 4096, "device": "", "quantization": ""}  # device "" = cuda, mps or cpu

    def __init__(self, model: str, *, device: str | None = None, quantization: str = "none",
                 n_ctx: int | None = None):
        try:
            from transformers import AutoModelForCausalLM, AutoTokenizer
            from transformers.utils import logging as hf_logging
        except ImportError as exc:
            raise LLMError("backend 'transformers' needs transformers and torch: pip install transformers torch") from exc
        hf_logging.disable_progress_bar()
        self.device = pick_device(device)
        kwargs = _load_kwargs(quantization, self.device)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(model)
            # A second copy for count_tokens on the event loop: a fast tokenizer must not be
            # used from two threads at once ("Already borrowed").
            self._counter = AutoTokenizer.from_pretrained(model)
            self.hf = AutoModelForCausalLM.from_pretrained(model, **kwargs)
        except Exception as exc:  # noqa: BLE001 - OSError, ValueError, ImportError (gptq/awq libs)...
            raise LLMError(f"transformers could not load {model!r}: {type(exc).__name__}: {exc}") from exc
        if quantization in ("gptq", "awq"):
            qc = getattr(self.hf.config, "quantization_config", None)
            method = qc.get("quant_method") if isinstance(qc, dict) else getattr(qc, "quant_method", None)
            if str(method).lower() != quantization:
                raise ConfigError(f"[llm] quantization {quantization!r} but {model!r} is not a {quantization} model")
        if "device_map" not in kwargs:
            self.hf.to(self.device)
        self.hf.eval()
        if not self.tokenizer.chat_template:
            raise ConfigError(f"[llm] model {model!r} has no chat template; use an instruct/chat model")
        self.model = model
        self.n_ctx = n_ctx or getattr(self.hf.config, "max_position_embeddings", None)

    @classmethod
    def from_config(cls, cfg: dict) -> "TransformersLLM":
        return cls(cfg["model"], device=cfg.get("device"), quantization=cfg.get("quantization") or "none",
                   n_ctx=cfg.get("n_ctx"))

    def execute(self, request: GenerationRequest) -> Iterator[str]:
        from transformers import StoppingCriteria, StoppingCriteriaList, TextIteratorStreamer

        halt = threading.Event()

        class Halt(StoppingCriteria):
            def __call__(self, input_ids, scores, **kwargs):
                return halt.is_set()

        inputs = self.tokenizer.apply_chat_template(
            request.messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
        ).to(self.hf.device)
        streamer = TextIteratorStreamer(self.tokenizer, skip_prompt=True, skip_special_tokens=True,
                                        timeout=request.timeout_s)
        sampling = ({"do_sample": True, "temperature": request.temperature} if request.temperature > 0
                    else {"do_sample": False})
        failure: list[BaseException] = []

        def run() -> None:
            try:
                self.hf.generate(**inputs, max_new_tokens=request.max_tokens, streamer=streamer,
                                 stopping_criteria=StoppingCriteriaList([Halt()]),
                                 pad_token_id=self.tokenizer.pad_token_id or self.tokenizer.eos_token_id,
                                 **sampling)
            except BaseException as exc:  # noqa: BLE001 - re-raised in the consuming thread
                failure.append(exc)
                streamer.end()

        thread = threading.Thread(target=run, name="helpbot-hf-generate", daemon=True)
        thread.start()
        try:
            yield from until_stop((p for p in streamer if p), request.stop or [])
            if failure:
                raise failure[0]
        finally:
            halt.set()  # stops generate() at its next token
            thread.join()

    def count_tokens(self, text: str) -> int:
        return len(self._counter.encode(text, add_special_tokens=False))
