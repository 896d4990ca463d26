"""Build tiny random models offline: a llama-architecture GGUF and a transformers causal LM.

Weights are random; the output head is rigged through one constant embedding channel so that
generation never ends early (EOS and control/byte tokens get a very low logit) and, with
`favour`, greedy decoding repeats one known word. Used by tests/llm and benchmarks/llm_bench.py.
"""

from __future__ import annotations

import string
from pathlib import Path

import numpy as np

CHAT_TEMPLATE = (
    "{{ bos_token }}{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}{{ eos_token }}\n"
    "{% endfor %}{% if add_generation_prompt %}<|assistant|>\n{% endif %}"
)
WORDS = [
    "the", "a", "to", "how", "do", "I", "you", "your", "can", "invite", "member", "team",
    "settings", "click", "open", "page", "billing", "plan", "password", "reset", "account",
    "hi", "ok", "yes", "no", "know", "don't", "answer", "faq", "help", "and", "of", "in", "is",
    "it", "or", "only", "passage", "passages", "question", "text", "id", "ids", "cite", "never",
    "rules", "data", "between", "from", "user", "system", "square", "brackets", "using", "above",
]


def spm_vocab() -> tuple[list[str], list[float], list[int]]:
    """SentencePiece-style vocab: <unk> <s> </s>, 256 byte tokens, characters, word pieces."""
    from gguf import TokenType

    tokens = ["<unk>", "<s>", "</s>"]
    types = [TokenType.UNKNOWN, TokenType.CONTROL, TokenType.CONTROL]
    tokens += [f"<0x{b:02X}>" for b in range(256)]
    types += [TokenType.BYTE] * 256
    chars = string.ascii_letters + string.digits + string.punctuation
    # Every prefix of a word is a piece too, so SPM's pairwise merges can reach the whole word.
    words = ["\u2581" + w[:i] for w in WORDS for i in range(1, len(w) + 1)]
    pieces = list(dict.fromkeys(list(chars) + ["\u2581" + c for c in chars] + words + ["\u2581"]))
    tokens += pieces
    types += [TokenType.NORMAL] * len(pieces)
    # Longer pieces score higher, so the SPM merge prefers whole words.
    scores = [0.0] * (3 + 256) + [-10.0 + len(p) for p in pieces]
    return tokens, scores, [int(t) for t in types]


def _head_and_embeddings(rng, n_vocab, n_embd, types, favour_id):
    """Channel 0 of every embedding is a large constant; the head reads it to rig logits."""
    embd = rng.normal(0, 0.02, (n_vocab, n_embd)).astype(np.float32)
    embd[:, 0] = 1.0
    head = rng.normal(0, 0.02, (n_vocab, n_embd)).astype(np.float32)
    head[:, 0] = 0.0
    head[np.asarray(types) != 1, 0] = -20.0  # never EOS, control or raw bytes
    if favour_id is not None:
        head[favour_id, 0] = 20.0
    return embd, head


def build_tiny_gguf(
    path: str | Path,
    *,
    n_embd: int = 64,
    n_layer: int = 2,
    n_head: int = 4,
    n_head_kv: int = 4,
    n_ff: int = 128,
    n_ctx: int = 2048,
    favour: str | None = None,
    quant: str = "f32",
    seed: int = 0,
    name: str = "helpbot-tiny",
) -> Path:
    """Write a llama-architecture GGUF that llama.cpp loads; returns the path.

    `quant`: "f32", "f16" or "q8_0" for the 2-D weight matrices (norms stay f32).
    `favour`: a vocabulary word (e.g. "ok") that greedy decoding then repeats.
    """
    import gguf

    path = Path(path)
    tokens, scores, types = spm_vocab()
    favour_id = tokens.index("\u2581" + favour) if favour else None
    rng = np.random.default_rng(seed)
    qtype = {"f32": gguf.GGMLQuantizationType.F32, "f16": gguf.GGMLQuantizationType.F16,
             "q8_0": gguf.GGMLQuantizationType.Q8_0}[quant]
    ftype = {"f32": gguf.LlamaFileType.ALL_F32, "f16": gguf.LlamaFileType.MOSTLY_F16,
             "q8_0": gguf.LlamaFileType.MOSTLY_Q8_0}[quant]

    w = gguf.GGUFWriter(str(path), "llama")
    w.add_name(name)
    w.add_context_length(n_ctx)
    w.add_embedding_length(n_embd)
    w.add_block_count(n_layer)
    w.add_feed_forward_length(n_ff)
    w.add_head_count(n_head)
    w.add_head_count_kv(n_head_kv)
    w.add_rope_dimension_count(n_embd // n_head)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_vocab_size(len(tokens))
    w.add_file_type(int(ftype))
    w.add_tokenizer_model("llama")
    w.add_token_list(tokens)
    w.add_token_scores(scores)
    w.add_token_types(types)
    w.add_unk_token_id(0)
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    w.add_add_bos_token(True)
    w.add_add_eos_token(False)
    w.add_chat_template(CHAT_TEMPLATE)

    def matrix(rows, cols, scale=0.02):
        return rng.normal(0, scale, (rows, cols)).astype(np.float32)

    def add(name_, data):
        if data.ndim == 2 and qtype != gguf.GGMLQuantizationType.F32:
            w.add_tensor(name_, gguf.quants.quantize(data, qtype), raw_dtype=qtype)
        else:
            w.add_tensor(name_, data)

    embd, head = _head_and_embeddings(rng, len(tokens), n_embd, types, favour_id)
    n_kv = n_embd // n_head * n_head_kv
    add("token_embd.weight", embd)
    for i in range(n_layer):
        add(f"blk.{i}.attn_norm.weight", np.ones(n_embd, np.float32))
        add(f"blk.{i}.attn_q.weight", matrix(n_embd, n_embd))
        add(f"blk.{i}.attn_k.weight", matrix(n_kv, n_embd))
        add(f"blk.{i}.attn_v.weight", matrix(n_kv, n_embd))
        add(f"blk.{i}.attn_output.weight", matrix(n_embd, n_embd))
        add(f"blk.{i}.ffn_norm.weight", np.ones(n_embd, np.float32))
        add(f"blk.{i}.ffn_gate.weight", matrix(n_ff, n_embd))
        add(f"blk.{i}.ffn_up.weight", matrix(n_ff, n_embd))
        add(f"blk.{i}.ffn_down.weight", matrix(n_embd, n_ff))
    add("output_norm.weight", np.ones(n_embd, np.float32))
    add("output.weight", head)

    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


def build_tiny_transformers(path: str | Path, *, favour: str | None = None, seed: int = 0) -> Path:
    """Save a tiny random LlamaForCausalLM plus a WordLevel tokenizer with a chat template."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, decoders
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    path = Path(path)
    specials = ["<unk>", "<s>", "</s>", "<|system|>", "<|user|>", "<|assistant|>"]
    words = sorted(set(WORDS) | set(string.ascii_letters) | set(string.digits)
                   | set(string.punctuation) | {"\n"})
    vocab = {t: i for i, t in enumerate(specials + words)}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation()])
    tok.decoder = decoders.WordPiece(prefix="##")  # joins words with spaces
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, unk_token="<unk>", bos_token="<s>", eos_token="</s>",
        additional_special_tokens=specials[3:])
    fast.chat_template = (
        "{% for m in messages %}<|{{ m['role'] }}|> {{ m['content'] }} </s> {% endfor %}"
        "{% if add_generation_prompt %}<|assistant|> {% endif %}"
    )
    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(vocab), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=4, max_position_embeddings=512,
        bos_token_id=1, eos_token_id=2, pad_token_id=0, tie_word_embeddings=False)
    model = LlamaForCausalLM(config)
    with torch.no_grad():  # same rig as the GGUF: channel 0 steers the head
        model.model.embed_tokens.weight[:, 0] = 1.0
        head = model.lm_head.weight
        head[:, 0] = 0.0
        head[: len(specials), 0] = -20.0
        if favour:
            head[vocab[favour], 0] = 20.0
    model.save_pretrained(path)
    fast.save_pretrained(path)
    return path
