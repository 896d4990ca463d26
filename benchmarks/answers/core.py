"""The shared harness: helpbot through its real pipeline, plain BM25 and plain MiniLM nearest
neighbour over the same chunks, threshold fitting for the baselines, and the metrics.

Every system answers a list of questions with a `Ranked` row: chunk ids best first, the score
behind its decision and whether it answered outright. helpbot's rows come from `helpbot eval`'s
code (`run_eval`: the real snapshot, calibration, guard, router and composer); the baselines'
`answered` is set later by a threshold fitted on other folds (`fit_threshold`).
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bot.search.embeddings import Embedder

ANSWERED = ("answer", "partial")
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass
class Ranked:
    ranking: list[str]  # chunk ids, best first
    score: float = float("-inf")  # what the decision thresholds (baselines)
    answered: bool = False  # answered outright (cites a source as the answer)
    route: str = ""  # helpbot's route; "" for baselines
    shown: list[str] = field(default_factory=list)  # ids the reply shows the user (helpbot)

    @property
    def top(self) -> str | None:
        return self.ranking[0] if self.ranking else None


# -- embeddings: one vector per distinct text, cached by content hash (in memory and on disk) ----------
def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:24]


class CachedEmbedder(Embedder):
    """Wraps the real embedder: same identity (so calibration keys and the router head match), each
    distinct text embedded once per cache. Anything else the embedder offers passes through."""

    def __init__(self, inner: Embedder, path: Path | None = None):
        self.inner = inner
        self.identity = inner.identity
        self.languages = getattr(inner, "languages", Embedder.languages)  # a class attribute of Embedder: __getattr__ would not reach it
        self.path = path
        self.vectors: dict[str, np.ndarray] = {}
        self.embedded = 0  # texts the model actually ran on
        if path is not None and path.is_file():
            with np.load(path) as data:
                self.vectors = dict(zip(data["keys"].tolist(), data["vectors"]))
        self._saved = len(self.vectors)

    def __getattr__(self, name):  # only called for what this class lacks
        return getattr(self.__dict__["inner"], name)

    def embed_batch(self, texts: list[str]) -> np.ndarray:
        keys = [text_key(t) for t in texts]
        missing = {k: t for k, t in zip(keys, texts) if k not in self.vectors}
        todo = list(missing.items())
        for start in range(0, len(todo), 512):
            part = todo[start : start + 512]
            self.vectors.update(zip([k for k, _ in part], self.inner.embed_batch([t for _, t in part])))
            self.embedded += len(part)
        if not texts:
            return np.zeros((0, self.identity.dimension), np.float32)
        return np.stack([self.vectors[k] for k in keys]).astype(np.float32)

    def save(self) -> None:
        if self.path is None or len(self.vectors) == self._saved:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.stem + f".tmp{id(self)}.npz")
        np.savez(tmp, keys=np.array(list(self.vectors)), vectors=np.stack(list(self.vectors.values())).astype(np.float32))
        tmp.replace(self.path)
        self._saved = len(self.vectors)


# -- helpbot, the production path ------------------------------------------------------------------------
def helpbot_rows(knowledge: Path, questions: list[str], embedder: Embedder, cases: list | None = None):
    """Build the knowledge snapshot, index and calibration as `helpbot` does, and answer every question
    through `run_eval` (the `helpbot eval` path; `cases`, if given, instead of `questions`). The ranking
    is the reply's sources (what the user is shown, best first) followed by the router's ranked hits
    for the message (read from the real router, not recomputed). Returns (rows, bot, eval summary)."""
    from bot.config import load_settings
    from bot.core.evaluate import Case, run_eval
    from bot.core.pipeline import HelpBot

    with tempfile.TemporaryDirectory(prefix="helpbot-answers-") as tmp:
        settings = load_settings(env={"HELPBOT_HOME": tmp})
        bot = HelpBot(settings, knowledge, embedder=embedder)
        decided: dict[str, list] = {}
        original = bot.router.decide_plan

        def tap(plan, vectors):  # a read-only tap on the real router: keeps its decisions per message
            decisions = original(plan, vectors)
            decided[plan.conversation] = decisions
            return decisions

        bot.router.decide_plan = tap
        cases = cases or [Case(str(n), q, ["answer"]) for n, q in enumerate(questions)]
        results, summary = run_eval(bot, cases)
        bot.audit.store.close()
    rows = []
    for case, res in zip(cases, results):
        shown = [s["id"] for s in res["sources"]]
        hits = []
        for d in sorted(decided.get(case.conversation or f"eval:{case.id}", []), key=lambda d: -d.scores.get("p_answer", 0.0)):
            hits += [h.chunk.id for h in d.hits]
        ranking = list(dict.fromkeys(shown + hits))
        p = res["scores"].get("p_answer", float("-inf")) if res["scores"] else float("-inf")
        rows.append(Ranked(ranking, float(p), res["route"] in ANSWERED, res["route"], shown))
    return rows, bot, summary


# -- baselines -------------------------------------------------------------------------------------------
class NearestNeighbour:
    """Plain MiniLM nearest neighbour: cosine of the question to each text helpbot embeds for a chunk
    (an FAQ entry's phrasings, a section's heading + body), best text per chunk; score = top cosine."""

    name = "nn"

    def __init__(self, chunks, embedder: Embedder):
        self.ids = [c.id for c in chunks]
        texts = [t for c in chunks for t in c.embed_texts]
        counts = [len(c.embed_texts) for c in chunks]
        self.starts = np.r_[0, np.cumsum(counts)[:-1]].astype(np.int64)  # each chunk's rows are contiguous
        self.matrix = embedder.embed_batch(texts)
        self.embedder = embedder

    def rank(self, questions: list[str], k: int = 5) -> list[Ranked]:
        q = self.embedder.embed_batch(questions)
        out = []
        for start in range(0, len(q), 1024):
            sims = q[start : start + 1024] @ self.matrix.T
            per_chunk = np.maximum.reduceat(sims, self.starts, axis=1)
            for row in per_chunk:
                top = np.argsort(-row, kind="stable")[:k]
                out.append(Ranked([self.ids[i] for i in top], float(row[top[0]])))
        return out


class BM25:
    """Plain SQLite FTS5 BM25 over the same chunks (title; phrasings, answer or body), default weights;
    the query is every distinct word of the question OR-ed; score = -bm25 of the top hit."""

    name = "bm25"

    def __init__(self, chunks):
        self.ids = [c.id for c in chunks]
        self.db = sqlite3.connect(":memory:")
        self.db.execute("create virtual table fts using fts5(title, body, tokenize='unicode61 remove_diacritics 2')")
        self.db.executemany("insert into fts(rowid, title, body) values (?, ?, ?)",
                            [(i, c.title, " ".join((*c.questions, c.text))) for i, c in enumerate(chunks)])

    def rank(self, questions: list[str], k: int = 5) -> list[Ranked]:
        out = []
        for text in questions:
            words = list(dict.fromkeys(w.lower() for w in _WORD.findall(text)))
            rows = []
            if words:
                query = " OR ".join('"' + w.replace('"', "") + '"' for w in words)
                rows = self.db.execute("select rowid, bm25(fts) from fts where fts match ? order by bm25(fts) limit ?",
                                       (query, k)).fetchall()
            out.append(Ranked([self.ids[r] for r, _ in rows], -float(rows[0][1]) if rows else float("-inf")))
        return out


# -- the baselines' decision rule ------------------------------------------------------------------------
def fit_threshold(scores, right, in_scope, rule: str = "balanced", target: float = 0.80) -> float:
    """The one threshold a baseline answers outright at (score >= t), fitted on rows of other folds.

    balanced:  maximise the mean of (in-scope rows answered with the right entry) and (out-of-scope
               rows declined), the two CLINC goal figures.
    precision: the lowest threshold whose precision when answering outright is >= `target` (the most
               questions answered at that precision); +inf (never answer) if none reaches it."""
    s = np.asarray(scores, np.float64)
    right = np.asarray(right, bool)
    ins = np.asarray(in_scope, bool)
    if not len(s):
        return float("inf")
    order = np.argsort(-s, kind="stable")
    s, right, ins = s[order], right[order], ins[order]
    last_of_tie = np.r_[s[1:] != s[:-1], True]  # answering at t = s[j] answers rows 0..j
    cand = np.flatnonzero(last_of_tie & np.isfinite(s))
    good = np.cumsum(right & ins)[cand]
    if rule == "precision":
        ok = cand[good / (cand + 1) >= target]
        return float(s[ok.max()]) if len(ok) else float("inf")
    n_in, n_out = max(1, int(ins.sum())), int((~ins).sum())
    declined_out = n_out - np.cumsum(~ins)[cand]
    value = good / n_in + (declined_out / n_out if n_out else 0.0)
    best = int(np.argmax(value)) if len(value) else 0
    nothing = 0.0 + (1.0 if n_out else 0.0)  # answer nothing: every out-of-scope row declined
    if not len(value) or nothing > value[best]:
        return float("inf")
    return float(s[cand[best]])


def apply_threshold(rows: list[Ranked], threshold: float) -> list[Ranked]:
    for row in rows:
        row.answered = bool(row.ranking) and row.score >= threshold
    return rows


def baselines(chunks, embedder, texts: list[str], gold: list) -> dict[str, list[Ranked]]:
    """Plain BM25 and plain nearest neighbour over `chunks`, each answering outright iff its top
    score reaches a threshold fitted on the other 4 of 5 folds (n % 5), balanced."""
    out = {}
    for system in (BM25(chunks), NearestNeighbour(chunks, embedder)):
        ranked = system.rank(texts)
        for fold in range(5):
            train = [n for n in range(len(ranked)) if n % 5 != fold]
            t = fit_threshold([ranked[n].score for n in train],
                              [gold[n] is not None and ranked[n].top == gold[n] for n in train],
                              [gold[n] is not None for n in train], rule="balanced")
            apply_threshold([ranked[n] for n in range(len(ranked)) if n % 5 == fold], t)
        out[system.name] = ranked
    return out


# -- metrics ---------------------------------------------------------------------------------------------
def _rate(hits, n) -> float | None:
    return round(hits / n, 4) if n else None


def doc_metrics(rows: list[Ranked], gold: list[set[str]]) -> dict:
    """Right section top-1 / top-3 (of the ranking), shown@3 (among what the reply shows), share
    answered outright, precision when answering outright (the top cited section is a gold one)."""
    n = len(rows)
    top1 = sum(bool(r.ranking) and r.ranking[0] in g for r, g in zip(rows, gold))
    top3 = sum(any(i in g for i in r.ranking[:3]) for r, g in zip(rows, gold))
    shown = sum(any(i in g for i in r.shown[:3]) for r, g in zip(rows, gold))
    answered = [(r, g) for r, g in zip(rows, gold) if r.answered]
    right = sum(r.ranking[0] in g for r, g in answered)
    return {"questions": n, "top1": _rate(top1, n), "top3": _rate(top3, n), "shown3": _rate(shown, n),
            "answered": _rate(len(answered), n), "precision": _rate(right, len(answered))}


def scope_metrics(rows: list[Ranked], gold: list[str | None]) -> dict:
    """In-scope right entry (answered outright with the gold entry) and out-of-scope recall (not
    answered outright: declined, refused, unknown or blocked)."""
    ins = [(r, g) for r, g in zip(rows, gold) if g is not None]
    outs = [r for r, g in zip(rows, gold) if g is None]
    right = sum(r.answered and r.top == g for r, g in ins)
    declined = sum(not r.answered for r in outs)
    return {"in_scope": len(ins), "in_scope_right": _rate(right, len(ins)),
            "out_of_scope": len(outs), "out_of_scope_recall": _rate(declined, len(outs))}


def mean_worst(folds: dict[str, dict], key: str) -> dict:
    values = {name: m[key] for name, m in folds.items() if m.get(key) is not None}
    if not values:
        return {"mean": None, "worst": None, "worst_fold": None}
    worst = min(values, key=values.get)
    return {"mean": round(float(np.mean(list(values.values()))), 4), "worst": values[worst], "worst_fold": worst}
