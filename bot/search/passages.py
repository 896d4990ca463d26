"""Doc sections searched as passages: windows within a section, matched by words and by vectors,
scored back to the section.

Built once per snapshot (index time): each doc section is cut into overlapping word windows;
a window's embedded text starts with the page title and heading ("Page: Heading. words..."),
and its lexical bag holds the page title, the heading path and the window's words (BM25 in
numpy, stemmed). A section no longer than one window is one passage whose text is the section's
own embedded text, so its vector is the one the index already has. Sections whose text is the
same (or nearly: the same paragraph on 20 pages) form one duplicate group.
"""

from __future__ import annotations

import functools
import math
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np

from bot.knowledge import Chunk
from bot.search.tokenizer import has_cjk, word_starts, words

WINDOW_WORDS = 100
STRIDE_WORDS = 70
K1, B = 1.2, 0.75
DUPLICATE_JACCARD = 0.7  # word 4-shingles shared by two sections for them to count as copies (one word changed in 35: ~0.77)

# Function words only (no domain words): they carry no evidence of which section answers.
STOPWORDS = frozenset(
    "a about after again all am an and any are as at be because been before being but by can could did do "
    "does doing done for from had has have having he her here hers him his how i if in into is it its just "
    "me more most my myself no nor not now of off on once only or other our ours out over own please same "
    "she should so some such than that the their theirs them then there these they this those through to "
    "too under until up very was we were what when where which while who whom why will with would you "
    "your yours yourself im ive id dont cant wont its s t d ll m re ve".split()
)


@functools.lru_cache(maxsize=1 << 16)  # words repeat: a reload of 8,000 sections stems ~1M words, ~30k distinct
def stem(word: str) -> str:
    """A light suffix stripper, the same on both sides: licenses/licensed/licensing -> licens."""
    if len(word) <= 4 or word.isdigit():
        return word
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ied", "es", "ed", "ly", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem_ = word[: -len(suffix)]
            if suffix in ("ings", "ing", "ed") and len(stem_) >= 5 and stem_[-1] == stem_[-2]:
                stem_ = stem_[:-1]  # travelling/travelled -> travel
            return stem_
    return word


def terms(text: str) -> list[str]:
    return [stem(w) for w in words(text) if w not in STOPWORDS]


def windows(text: str, window: int = WINDOW_WORDS, stride: int = STRIDE_WORDS) -> list[str]:
    if has_cjk(text):
        return _cjk_windows(text, window, stride)
    words = text.split()
    if len(words) <= window:
        return [" ".join(words)]
    out = []
    for start in range(0, len(words), stride):
        out.append(" ".join(words[start : start + window]))
        if start + window >= len(words):
            break
    return out


def _cjk_windows(text: str, window: int, stride: int) -> list[str]:
    """`windows` for text without spaces: cut at CJK word starts (bot/search/tokenizer.py)."""
    starts = word_starts(text)
    if len(starts) <= window:
        return [" ".join(text.split())]
    out = []
    for start in range(0, len(starts), stride):
        end = starts[start + window] if start + window < len(starts) else len(text)
        out.append(" ".join(text[starts[start] : end].split()))
        if start + window >= len(starts):
            break
    return out


def passage_texts(chunk: Chunk) -> list[str]:
    """What is embedded for a doc section: one text per window, each led by the page title and heading."""
    parts = windows(chunk.text)
    if len(parts) == 1:
        return list(chunk.embed_texts[:1])
    return [f"{chunk.title}. {w}" for w in parts]


@dataclass
class Candidates:
    """One message's doc ranking inputs, per section (arrays over `PassageIndex.sections`)."""

    cosine: np.ndarray  # best passage cosine
    bm25: np.ndarray  # best passage BM25, divided by the message's best
    coverage: np.ndarray  # share of the message's term weight (IDF) found in the section + its titles
    title: np.ndarray  # share found in the page title and heading path


class PassageIndex:
    """Per-snapshot passage data for the doc sections of a knowledge base."""

    def __init__(self, chunks: list[Chunk], vectors: np.ndarray, passage_section: np.ndarray, texts: list[str]):
        self.sections = [i for i, c in enumerate(chunks) if c.kind == "doc"]  # chunk index per section
        self.chunks = chunks
        self.vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        self.passage_section = passage_section.astype(np.int64)
        n = len(self.sections)
        self.starts = (np.flatnonzero(np.r_[True, self.passage_section[1:] != self.passage_section[:-1]])
                       if len(self.passage_section) else np.zeros(0, np.int64))
        docs = [chunks[i] for i in self.sections]
        heads = [terms(" ".join((c.title, *c.parents))) for c in docs]
        bags = []
        section_terms: list[set[str]] = [set(h) for h in heads]
        for s, text in zip(self.passage_section.tolist(), texts):
            body = text.split(". ", 1)[1] if text.startswith(docs[s].title + ". ") else text
            bag = Counter(heads[s] * 2 + terms(body))
            section_terms[s].update(bag)
            bags.append(bag)
        self.lengths = np.array([sum(b.values()) for b in bags], np.float32)
        self.avg = float(self.lengths.mean()) if len(bags) and self.lengths.mean() > 0 else 1.0
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for p, bag in enumerate(bags):
            for term, tf in bag.items():
                postings[term].append((p, tf))
        self.postings = {t: (np.array([i for i, _ in v], np.int64), np.array([f for _, f in v], np.float32))
                         for t, v in postings.items()}
        n_pass = max(1, len(bags))
        self.idf = {t: math.log(1 + (n_pass - len(v[0]) + 0.5) / (len(v[0]) + 0.5)) for t, v in self.postings.items()}
        self.section_postings = _postings(section_terms)
        self.title_postings = _postings([set(h) for h in heads])
        self.group = duplicate_groups([c.text for c in docs])
        self.n = n
        self.floor = -1.0  # best passage cosine of off-topic requests (set by the snapshot; see routing/docs.py)

    @classmethod
    def build(cls, chunks: list[Chunk], embed) -> "PassageIndex":
        """`embed(texts) -> vectors` (e.g. the index database's cached vectors)."""
        texts, owner = [], []
        for s, i in enumerate(i for i, c in enumerate(chunks) if c.kind == "doc"):
            parts = passage_texts(chunks[i])
            texts += parts
            owner += [s] * len(parts)
        vectors = embed(texts) if texts else np.zeros((0, 1), np.float32)
        return cls(chunks, vectors, np.array(owner, np.int64), texts)

    def vocabulary_weight(self, word_terms: list[str]) -> float:
        """IDF mass of `word_terms` that the docs know (unknown words weigh nothing)."""
        return float(sum(self.idf.get(t, 0.0) for t in word_terms))

    def candidates(self, query: np.ndarray, query_terms: list[str], passage_cosines: np.ndarray | None = None) -> Candidates:
        """`passage_cosines`: `self.vectors @ query` when the caller has it already."""
        n = self.n
        if not n:
            z = np.zeros(0, np.float32)
            return Candidates(z, z, z, z)
        cosine = np.maximum.reduceat(self.vectors @ query if passage_cosines is None else passage_cosines, self.starts)
        passage = np.zeros(len(self.passage_section), np.float32)
        unique = list(dict.fromkeys(query_terms))
        for term in unique:
            hit = self.postings.get(term)
            if hit is not None:
                idx, tf = hit
                passage[idx] += self.idf[term] * tf * (K1 + 1) / (tf + K1 * (1 - B + B * self.lengths[idx] / self.avg))
        bm25 = np.maximum.reduceat(passage, self.starts)
        best = float(bm25.max())
        bm25 = bm25 / best if best > 0 else bm25
        weights = {t: self.idf.get(t, 0.0) for t in unique}
        total = sum(weights.values()) or 1.0
        coverage = np.zeros(n, np.float32)
        title = np.zeros(n, np.float32)
        for term, weight in weights.items():
            if weight:
                coverage[self.section_postings.get(term, _NONE)] += weight / total
                title[self.title_postings.get(term, _NONE)] += weight / total
        return Candidates(cosine.astype(np.float32), bm25.astype(np.float32), coverage, title)


_NONE = np.zeros(0, np.int64)


def _postings(term_sets: list[set[str]]) -> dict[str, np.ndarray]:
    """term -> the numbers of the sets holding it."""
    out: dict[str, list[int]] = defaultdict(list)
    for i, found in enumerate(term_sets):
        for term in found:
            out[term].append(i)
    return {t: np.array(v, np.int64) for t, v in out.items()}


def _shingles(text: str, size: int = 4) -> set[int]:
    words_ = words(text)
    if len(words_) < size:
        return {zlib.crc32(" ".join(words_).encode())}
    return {zlib.crc32(" ".join(words_[i : i + size]).encode()) for i in range(len(words_) - size + 1)}


def duplicate_groups(texts: list[str], threshold: float = DUPLICATE_JACCARD, bands: int = 8, rows: int = 2) -> np.ndarray:
    """Group id per text: texts whose word 4-shingles overlap by >= `threshold` (Jaccard) share one.

    MinHash with banding finds the candidate pairs; each is confirmed on the exact shingle sets."""
    n = len(texts)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    sets = [_shingles(t) for t in texts]
    rng = np.random.default_rng(7)
    perms = bands * rows
    a = rng.integers(1, (1 << 31) - 1, perms, dtype=np.int64)
    b = rng.integers(0, (1 << 31) - 1, perms, dtype=np.int64)
    prime = (1 << 31) - 1
    buckets: dict[tuple, list[int]] = defaultdict(list)
    for i, sh in enumerate(sets):
        h = np.fromiter(sh, np.int64, len(sh))
        sig = ((h[:, None] * a + b) % prime).min(0)
        for band in range(bands):
            buckets[(band, *sig[band * rows : (band + 1) * rows].tolist())].append(i)
    for members in buckets.values():
        if len(members) < 2 or len(members) > 200:
            continue
        first = members[0]
        for other in members[1:]:
            if find(first) == find(other):
                continue
            x, y = sets[first], sets[other]
            if len(x & y) >= threshold * len(x | y):
                parent[find(other)] = find(first)
    return np.array([find(i) for i in range(n)], np.int64)
