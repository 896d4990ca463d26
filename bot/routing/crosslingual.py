"""Questions in another language than the knowledge: the same scores, measured from the same floor.

A multilingual model (e5) puts a Japanese question a little further from every English phrasing than
an English question would be: its best match and its mean similarity to the whole knowledge drop by
about the same amount, while the best match's lead over the mean stays the same (measured on the
sample knowledge: 0.098 in English, 0.100 in Japanese; off-topic requests 0.059 / 0.055). So a
message in a language the knowledge is not written in has its entry scores shifted by the knowledge's
own mean similarity minus the message's: the calibration, fitted on the knowledge's own phrasings,
then reads it as it reads them. Messages in the knowledge's languages are not touched.

Not imputed: the keyword part of an entry score (beta x BM25 agreement), which cannot fire across
languages. In the knowledge's language it is mostly "some word of the message is in the knowledge",
a strong in-scope sign; granting it to every cross-language message answered 9 of 10 off-topic
Japanese requests on the sample, withholding it declines most in-scope ones (benchmarks/README.md).
A calibration fitted without keywords for cross-language messages is the next step.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from bot import language

SHARE = 0.2  # a language is the knowledge's when at least this share of its embedded texts is in it
SAMPLE, HEAD = 400, 300  # texts read (evenly spread) and characters of each: ~30 ms at 10,000 chunks


class LanguageShift:
    def __init__(self, texts: list[str], rows: np.ndarray):
        sample = texts[:: max(1, len(texts) // SAMPLE)]
        counts = Counter(language.detect(t[:HEAD]) for t in sample)
        self.languages = frozenset(code for code, n in counts.items() if n >= SHARE * len(sample))
        self.mean = rows.mean(axis=0) if len(rows) else None
        self.base = float((rows @ self.mean).mean()) if len(rows) else 0.0

    def __call__(self, text: str, vector: np.ndarray) -> float:
        """What to add to the message's entry scores (0.0 in the knowledge's own languages)."""
        if self.mean is None or language.detect(text) in self.languages:
            return 0.0
        return self.base - float(np.asarray(vector, dtype=np.float32) @ self.mean)
