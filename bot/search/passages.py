"""Doc sections searched as passages: windows within a section, matched by words and by vectors,
scored back to the section.

Built once per snapshot (index time), from per-section data cached by content across snapshots
(`PassageCache`: a reload recomputes changed sections only): each doc section is cut into overlapping word windows;
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
from collections import Counter
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


@dataclass
class SectionData:
    """What one doc section contributes to the passage data, computed once per distinct section
    (title, heading path, text) and reused by later snapshots (`PassageCache`). Terms are numbers
    in the cache's vocabulary."""

    texts: list[str]  # passage texts (what is embedded)
    bags: list[tuple[np.ndarray, np.ndarray]]  # per passage: (term numbers, counts); title and heading path count twice
    terms: np.ndarray  # every term of the section and its titles
    heads: np.ndarray  # terms of the page title and heading path
    shingles: set[int]  # word 4-shingles of the section text (duplicate groups)
    signature: np.ndarray  # MinHash of the shingles
    vectors: np.ndarray | None = None  # passage vectors, for the cache's embedding model

    @classmethod
    def of(cls, chunk: Chunk, vocabulary: dict[str, int]) -> "SectionData":
        number = lambda words: np.array([vocabulary.setdefault(w, len(vocabulary)) for w in words], np.int64)  # noqa: E731
        texts = passage_texts(chunk)
        heads = terms(" ".join((chunk.title, *chunk.parents)))
        lead = chunk.title + ". "
        bags = []
        for text in texts:
            bag = Counter(heads * 2 + terms(text[len(lead):] if text.startswith(lead) else text))
            bags.append((number(bag), np.array(list(bag.values()), np.float32)))
        every = np.unique(np.concatenate([number(heads)] + [ids for ids, _ in bags]))
        shingles = _shingles(chunk.text)
        return cls(texts, bags, every, np.unique(number(heads)), shingles, minhash(shingles))


def section_key(chunk: Chunk) -> tuple:
    return (chunk.title, chunk.parents, chunk.text)


class PassageCache:
    """Section data by content, kept across snapshots so a reload recomputes changed sections only.

    Holds the sections of the latest build only (it stays the size of the knowledge), and starts
    afresh when the embedding model changes or the vocabulary has grown to twice what is in use."""

    def __init__(self):
        self.sections: dict[tuple, SectionData] = {}
        self.vocabulary: dict[str, int] = {}
        self.model = ""

    def lookup(self, chunks: list[Chunk], embed, model: str = "") -> list[SectionData]:
        """Data of each doc section in `chunks`; `embed(texts) -> vectors` for sections not seen before."""
        if model != self.model or len(self.vocabulary) > 2 * self._in_use() + 10_000:
            self.sections, self.vocabulary, self.model = {}, {}, model
        fresh: dict[tuple, SectionData] = {}
        out = []
        for chunk in chunks:
            if chunk.kind != "doc":
                continue
            key = section_key(chunk)
            data = fresh.get(key) or self.sections.get(key) or SectionData.of(chunk, self.vocabulary)
            fresh[key] = data
            out.append(data)
        todo = [d for d in fresh.values() if d.vectors is None]
        texts = [t for d in todo for t in d.texts]
        if texts:
            vectors = np.asarray(embed(texts), np.float32)
            at = 0
            for d in todo:
                d.vectors, at = vectors[at : at + len(d.texts)], at + len(d.texts)
        self.sections = fresh
        return out

    def _in_use(self) -> int:
        return sum(len(d.terms) for d in self.sections.values())  # at least the distinct terms in use

    def words(self) -> list[str]:
        out = [""] * len(self.vocabulary)
        for word, number in self.vocabulary.items():
            out[number] = word
        return out


class PassageIndex:
    """Per-snapshot passage data for the doc sections of a knowledge base."""

    def __init__(self, chunks: list[Chunk], sections: list[SectionData], words: list[str]):
        """`words`: the vocabulary (term number -> term) the sections' term numbers refer to."""
        self.sections = [i for i, c in enumerate(chunks) if c.kind == "doc"]  # chunk index per section
        self.chunks = chunks
        n = len(self.sections)
        counts = [len(d.texts) for d in sections]
        dim = next((d.vectors.shape[1] for d in sections if d.vectors is not None and d.vectors.ndim == 2), 1)
        self.vectors = (np.ascontiguousarray(np.concatenate([d.vectors for d in sections]), dtype=np.float32)
                        if sections else np.zeros((0, dim), np.float32))
        self.passage_section = np.repeat(np.arange(n, dtype=np.int64), counts)
        self.starts = np.r_[0, np.cumsum(counts)[:-1]].astype(np.int64) if n else np.zeros(0, np.int64)
        bags = [b for d in sections for b in d.bags]
        n_pass = len(bags)
        ids = np.concatenate([i for i, _ in bags]) if bags else np.zeros(0, np.int64)
        tfs = np.concatenate([f for _, f in bags]) if bags else np.zeros(0, np.float32)
        owner = np.repeat(np.arange(n_pass, dtype=np.int64), [len(i) for i, _ in bags])
        self.lengths = np.bincount(owner, tfs, minlength=n_pass).astype(np.float32)
        self.avg = float(self.lengths.mean()) if n_pass and self.lengths.mean() > 0 else 1.0
        self.postings = {t: (p, tfs[at]) for t, p, at in grouped(ids, owner, words)}
        self.idf = {t: math.log(1 + (max(1, n_pass) - len(v[0]) + 0.5) / (len(v[0]) + 0.5)) for t, v in self.postings.items()}
        self.section_postings = _section_postings([d.terms for d in sections], words)
        self.title_postings = _section_postings([d.heads for d in sections], words)
        self.group = group_signatures([d.shingles for d in sections], [d.signature for d in sections])
        self.n = n
        self.floor = -1.0  # best passage cosine of off-topic requests (set by the snapshot; see routing/docs.py)

    @classmethod
    def build(cls, chunks: list[Chunk], embed, cache: PassageCache | None = None, model: str = "") -> "PassageIndex":
        """`embed(texts) -> vectors` (e.g. the index database's cached vectors); `cache` (with the
        embedding model's name) reuses the data of sections an earlier build saw."""
        cache = cache or PassageCache()
        sections = cache.lookup(chunks, embed, model)
        return cls(chunks, sections, cache.words())

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


def grouped(ids: np.ndarray, owner: np.ndarray, words: list[str]):
    """(term, owners holding it in increasing order, their positions in `ids`) for each term number in `ids`."""
    order = np.argsort(ids, kind="stable")  # stable: owners stay in increasing order within a term
    ids_sorted = ids[order]
    bounds = np.flatnonzero(np.r_[True, ids_sorted[1:] != ids_sorted[:-1], True]) if len(ids) else np.zeros(1, np.int64)
    for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
        at = order[a:b]
        yield words[int(ids_sorted[a])], owner[at], at


def _section_postings(term_sets: list[np.ndarray], words: list[str]) -> dict[str, np.ndarray]:
    """term -> the numbers of the sets holding it."""
    ids = np.concatenate(term_sets) if term_sets else np.zeros(0, np.int64)
    owner = np.repeat(np.arange(len(term_sets), dtype=np.int64), [len(t) for t in term_sets])
    return {t: p for t, p, _ in grouped(ids, owner, words)}


def _shingles(text: str, size: int = 4) -> set[int]:
    words_ = words(text)
    if len(words_) < size:
        return {zlib.crc32(" ".join(words_).encode())}
    return {zlib.crc32(" ".join(words_[i : i + size]).encode()) for i in range(len(words_) - size + 1)}


_PERMS = 16  # MinHash functions: 8 bands of 2 rows
_PRIME = (1 << 31) - 1


def _hash_parameters(seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(1, _PRIME, _PERMS, dtype=np.int64), rng.integers(0, _PRIME, _PERMS, dtype=np.int64)


_A, _B = _hash_parameters()  # constants: the same MinHash functions in every process


def minhash(shingles: set[int]) -> np.ndarray:
    h = np.fromiter(shingles, np.int64, len(shingles))
    return ((h[:, None] * _A + _B) % _PRIME).min(0)


def duplicate_groups(texts: list[str], threshold: float = DUPLICATE_JACCARD) -> np.ndarray:
    """Group id per text: texts whose word 4-shingles overlap by >= `threshold` (Jaccard) share one."""
    sets = [_shingles(t) for t in texts]
    return group_signatures(sets, [minhash(s) for s in sets], threshold)


def _shared_bands(signatures: list[np.ndarray], bands: int, rows: int):
    """Per band: the texts (in order) whose signatures agree on that band, for buckets of 2 to 200."""
    if not signatures:
        return
    sig = np.stack(signatures).astype(np.int64)
    for band in range(bands):
        part = sig[:, band * rows : (band + 1) * rows]
        _, inverse, counts = np.unique(part, axis=0, return_inverse=True, return_counts=True)
        inverse = inverse.reshape(-1)
        shared = np.flatnonzero((counts >= 2) & (counts <= 200))
        if not len(shared):
            continue
        texts = np.flatnonzero(np.isin(inverse, shared))
        order = texts[np.argsort(inverse[texts], kind="stable")]
        keys = inverse[order]
        bounds = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1], True])
        for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist()):
            yield order[a:b].tolist()


def group_signatures(sets: list[set[int]], signatures: list[np.ndarray], threshold: float = DUPLICATE_JACCARD,
                     bands: int = 8, rows: int = 2) -> np.ndarray:
    """MinHash with banding finds the candidate pairs; each is confirmed on the exact shingle sets."""
    n = len(sets)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for members in _shared_bands(signatures, bands, rows):
        first = members[0]
        for other in members[1:]:
            if find(first) == find(other):
                continue
            x, y = sets[first], sets[other]
            if len(x & y) >= threshold * len(x | y):
                parent[find(other)] = find(first)
    return np.array([find(i) for i in range(n)], np.int64)
