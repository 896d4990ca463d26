"""Doc sections for one message: a hybrid ranking and the answerability decision.

Ranking (per section, from the message's one embedding and its words):
  cosine       best passage cosine, minus the best of all sections
  section      the section's own cosine (its heading + start), minus the best
  bm25         best passage BM25 (title, heading path and window words), divided by the best
  coverage     share of the message's term weight (IDF) found in the section and its titles
  title        share found in the page title and heading path
  first        the section opens its page (overviews answer general questions)
  page_cosine  best passage cosine on the section's page, minus the best
  page_bm25    best passage BM25 on the section's page
The score is a weighted sum; the weights (bot/data/docs_model.json) were fitted across services
and measured on a service left out (`python -m bot.dev.docs_fit`). Words come from the message's
salient sentences only: a greeting or "how are you doing today" carries no term weight the docs
know, so it is dropped from the words matched (the question and its context sentence stay).

Near-duplicate sections (`passages.duplicate_groups`) are one candidate: the best-placed copy is
shown, and the copies do not count as a close runner-up.

Answerability: a logistic model over the top candidate's lead (score gap to the 2nd and 3rd distinct
candidates), its cosine, coverage, title share and BM25 lead, with a threshold fitted for precision.
Below it the reply lists the closest sections instead of answering (route `unknown`, reason
`closest_sections`). A message no closer to the docs than helpbot's own off-topic examples
(`floor`, fitted per knowledge base) is left to the router's scope decision.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bot.search.index import Hit, SearchIndex
from bot.search.passages import PassageIndex, terms

MODEL_PATH = Path(__file__).resolve().parents[1] / "data" / "docs_model.json"
RANK_FEATURES = ("cosine", "section", "bm25", "coverage", "title", "first", "page_cosine", "page_bm25")
ANSWER_FEATURES = ("gap", "gap3", "cosine", "coverage", "title", "bm25_gap")
SALIENT_SHARE = 0.5  # a sentence is kept when its known term weight is at least this share of the best one's
CHATTER_SHARE = 0.2  # a piece of a message under this share of the best sentence's known term weight is small talk
OFF_TOPIC_QUANTILE = 0.95  # floor: the best cosine 95% of off-topic examples stay under
CLOSEST = 3
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")


@dataclass
class DocModel:
    rank: list[float]  # weights of RANK_FEATURES
    answer: list[float]  # logistic: bias + weights of standardised ANSWER_FEATURES
    center: list[float]
    scale: list[float]
    threshold: float  # on the answer probability
    note: str = ""

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> "DocModel":
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(**{k: data[k] for k in ("rank", "answer", "center", "scale", "threshold", "note")})

    def answer_prob(self, feats: np.ndarray) -> np.ndarray:
        x = (np.atleast_2d(feats) - np.array(self.center)) / np.array(self.scale)
        w = np.array(self.answer)
        return 1.0 / (1.0 + np.exp(-(w[0] + x @ w[1:])))


def salient_text(text: str, passages: PassageIndex) -> str:
    """The sentences of `text` that carry the docs' vocabulary: each kept sentence has at least
    SALIENT_SHARE of the best sentence's known term weight (IDF over the passages), or leads into
    a kept one and has some. Greetings and "how are you" weigh nothing the docs know."""
    sentences = [m.group().strip() for m in _SENTENCE.finditer(text) if m.group().strip()]
    if len(sentences) < 2:
        return text
    weights = [passages.vocabulary_weight(terms(s)) for s in sentences]
    best = max(weights)
    if best <= 0:
        return text
    keep = [w >= SALIENT_SHARE * best for w in weights]
    for i in range(len(sentences) - 1):  # the sentence leading into a kept one is its context, if it says anything the docs know
        if keep[i + 1] and weights[i] > 0:
            keep[i] = True
    return " ".join(s for s, k in zip(sentences, keep) if k)


def chatter(passages: PassageIndex, text: str, smalltalk):
    """A small-talk test for the pieces of `text` (the splitter drops them when a request remains;
    used for docs-only knowledge, where the passages hold the whole vocabulary):
    `smalltalk`'s rules, or a piece whose known term weight is under CHATTER_SHARE of the best
    sentence's ("How are you doing today?" next to a question about the docs)."""
    sentences = [m.group() for m in _SENTENCE.finditer(text) if m.group().strip()]
    best = max((passages.vocabulary_weight(terms(s)) for s in sentences), default=0.0)

    def is_chatter(piece: str):
        if smalltalk(piece):
            return True
        return best > 0 and passages.vocabulary_weight(terms(piece)) < CHATTER_SHARE * best

    return is_chatter


@dataclass
class DocRanking:
    order: list[int]  # section numbers (PassageIndex), best first, one per duplicate group
    scores: np.ndarray  # fused score per section
    features: np.ndarray  # (n_sections, len(RANK_FEATURES))
    cosine: np.ndarray  # absolute best passage cosine per section
    answer: np.ndarray = field(default_factory=lambda: np.zeros(len(ANSWER_FEATURES)))
    p_answer: float = 0.0


class DocRanker:
    """Per snapshot: the doc sections' passages, pages and the fitted model."""

    def __init__(self, index: SearchIndex, passages: PassageIndex, model: DocModel, floor: float = -1.0):
        self.index, self.passages, self.model, self.floor = index, passages, model, floor
        self.only = passages.n == len(index.chunks)  # docs only: the passages know every word of the knowledge
        rows = index._starts[passages.sections] if len(passages.sections) else np.zeros(0, np.int64)
        # Passage vectors and section vectors in one matrix: one matrix-vector product per message.
        self.matrix = np.ascontiguousarray(np.vstack([passages.vectors, index.rows[rows]]), dtype=np.float32)
        self.n_passages = len(passages.vectors)
        files = [index.chunks[i].source_file for i in passages.sections]
        page_ids = {f: k for k, f in enumerate(dict.fromkeys(files))}
        self.page = np.array([page_ids[f] for f in files], np.int64)
        self.first = np.r_[True, self.page[1:] != self.page[:-1]].astype(np.float32) if len(files) else np.zeros(0)

    def _page_max(self, values: np.ndarray) -> np.ndarray:
        best = np.full(int(self.page.max()) + 1, -np.inf, np.float32)
        np.maximum.at(best, self.page, values)
        return best[self.page]

    def features(self, vector: np.ndarray, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(rank features per section, absolute passage cosine per section)."""
        # einsum, not BLAS: a mat-vec this size is ~0.1 ms on one core, while waking BLAS's threads on
        # a busy machine costs milliseconds (measured at load 9 on 2 cores: 0.1 ms vs 3 ms).
        cosines = np.einsum("ij,j->i", self.matrix, vector.astype(np.float32, copy=False))
        c = self.passages.candidates(vector, terms(salient_text(text, self.passages)), cosines[: self.n_passages])
        section = cosines[self.n_passages :]
        page_cos, page_bm = self._page_max(c.cosine), self._page_max(c.bm25)
        feats = np.stack([c.cosine - c.cosine.max(), section - section.max(), c.bm25, c.coverage, c.title,
                          self.first, page_cos - page_cos.max(), page_bm], 1).astype(np.float32)
        return feats, c.cosine

    def distinct(self, scores: np.ndarray, k: int) -> list[int]:
        """The best `k` sections, one per duplicate group."""
        group = self.passages.group
        out, seen = [], set()
        for s in np.argsort(-scores, kind="stable").tolist():
            if group[s] in seen:
                continue
            seen.add(group[s])
            out.append(s)
            if len(out) == k:
                break
        return out

    def rank(self, vector: np.ndarray, text: str, k: int = CLOSEST) -> DocRanking:
        feats, cosine = self.features(vector, text)
        scores = feats @ np.array(self.model.rank, np.float32)
        order = self.distinct(scores, max(k, 3))
        ranking = DocRanking(order[:k], scores, feats, cosine)
        ranking.answer = answer_features(scores, feats, cosine, order)
        ranking.p_answer = float(self.model.answer_prob(ranking.answer)[0])
        return ranking

    def hits(self, ranking: DocRanking) -> list[Hit]:
        return [Hit(self.index.chunks[self.passages.sections[s]], float(ranking.cosine[s]), float(ranking.scores[s]), r)
                for r, s in enumerate(ranking.order)]


def load_model() -> DocModel:
    return _load(MODEL_PATH)


@functools.lru_cache(maxsize=4)
def _load(path: Path) -> DocModel:
    return DocModel.load(path)


def ranker(index: SearchIndex) -> DocRanker | None:
    """The doc ranker of a snapshot's index, or None when the knowledge has no doc sections."""
    passages = getattr(index, "passages", None)
    if passages is None or not passages.n:
        return None
    return DocRanker(index, passages, load_model(), passages.floor)


def answer_features(scores: np.ndarray, feats: np.ndarray, cosine: np.ndarray, order: list[int]) -> np.ndarray:
    """ANSWER_FEATURES of a ranking (`order`: the best distinct sections, at least one)."""
    top = order[0]
    second = order[1] if len(order) > 1 else top
    third = order[2] if len(order) > 2 else second
    gap = scores[top] - scores[second] if second != top else 10.0
    gap3 = scores[top] - scores[third] if third != top else 10.0
    return np.array([gap, gap3, cosine[top], feats[top, 3], feats[top, 4], feats[top, 2] - feats[second, 2]], np.float32)


def off_topic_floor(passages: PassageIndex, vectors: np.ndarray) -> float:
    """The best passage cosine that OFF_TOPIC_QUANTILE of off-topic example requests stay under."""
    if not len(vectors) or not len(passages.vectors) or vectors.shape[1] != passages.vectors.shape[1]:
        return -1.0
    best = (vectors @ passages.vectors.T).max(1)
    return float(np.quantile(best, OFF_TOPIC_QUANTILE))


def review(ranker: DocRanker, decision, text: str, vector: np.ndarray):
    """The doc path of one part: answer from a doc section, or list the closest sections.

    Leaves `decision` (a router `PartDecision`) as it is when an FAQ entry answers it, when it
    names another product, or when the message is no closer to the docs than off-topic requests."""
    if not ranker.passages.n or "scope.other_product" in decision.reasons:
        return decision
    if decision.route == "answer" and decision.hits and decision.hits[0].chunk.kind == "faq":
        return decision
    ranking = ranker.rank(vector, text)
    hits = ranker.hits(ranking)
    top = hits[0]
    decision.scores.update({"doc_p_answer": ranking.p_answer, "doc_cosine": top.score,
                            "doc_threshold": ranker.model.threshold, "doc_floor": ranker.floor})
    if top.score < ranker.floor:
        if decision.route == "answer":  # a doc "answer" no closer than off-topic requests
            decision.route, decision.reasons, decision.hits = "refuse", ["scope.out", "docs.far"], []
        return decision
    if decision.route == "refuse" and not ranker.only:
        return decision  # the FAQ's fitted scope decision stands
    # With FAQ entries the router's thresholds are fitted on this knowledge: its doc answer, when the
    # doc ranking puts the same section first, is two independent rankings agreeing.
    agree = (not ranker.only and decision.route == "answer" and bool(decision.hits)
             and decision.hits[0].chunk.id == top.chunk.id)
    shown = {h.chunk.id for h in hits}
    others = [h for h in decision.hits if h.chunk.id not in shown]  # FAQ candidates stay for the LLM's passages
    decision.hits, decision.score, decision.alternative = hits + others, top.score, None
    if ranking.p_answer >= ranker.model.threshold or agree:
        decision.route, decision.reasons = "answer", ["match.doc"] + (["docs.router_agrees"] if agree else [])
    else:
        decision.route, decision.reasons = "unknown", ["scope.in", "closest_sections"]
    return decision
