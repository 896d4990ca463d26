"""Hashed character n-grams: the injection head's lexical view of a message.

The sentence embedding reads the first 256 word pieces and blurs wording; n-grams see the
whole (capped) text and exact phrasings such as "ignore ... instructions" or "vergiss". A text
becomes L2-normalised counts over `2**bits` buckets, hashed with numpy (stable across processes,
no Python `hash`), so scoring costs tens of microseconds.
"""

from __future__ import annotations

import re

import numpy as np

SIZES = (3, 4, 5)
BITS = 17
MAX_CHARS = 2000
_SPACES = re.compile(r"\s+")
_PRIME = np.uint64(1_000_003)
_MIX = np.uint64(0x9E3779B97F4A7C15)


def char_ngrams(text: str, bits: int = BITS, sizes: tuple[int, ...] = SIZES,
                max_chars: int = MAX_CHARS) -> tuple[np.ndarray, np.ndarray]:
    """(bucket ids, L2-normalised counts) of the lower-cased text's character n-grams."""
    clean = " " + _SPACES.sub(" ", text[:max_chars].lower()).strip() + " "
    codes = np.frombuffer(clean.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    parts = []
    with np.errstate(over="ignore"):
        # rolling = sum of codes[i + j] * P**(n - 1 - j) for the n characters from i; the size n
        # is mixed in as n * P**n, so each size hashes apart. Grown one size at a time.
        rolling, size = codes.copy(), 1
        for n in sizes:
            if len(codes) < n:
                break
            while size < n:
                rolling = rolling[:-1] * _PRIME + codes[size:]
                size += 1
            salt = np.uint64(n) * _PRIME ** np.uint64(n)
            parts.append(((rolling + salt) * _MIX) >> np.uint64(64 - bits))
    if not parts:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    ids, counts = np.unique(np.concatenate(parts), return_counts=True)
    values = counts.astype(np.float32)
    return ids.astype(np.int64), values / np.linalg.norm(values)
