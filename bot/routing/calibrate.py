"""Fit the router per knowledge base from labelled data, not by guessing.

Positives: each FAQ phrasing held out in turn (leave-one-out) must find its own entry.
Negatives: generic out-of-scope requests (`bot/data/out_of_scope.txt`, written for helpbot).
Unknown-vs-refuse: product questions the knowledge base does not answer
(`bot/data/in_scope_generic.txt`) against the same out-of-scope requests.

What is fitted: alpha (centroid vs best-phrasing weight, by leave-one-out accuracy); a logistic
"answer" model over the features in bot/routing/features.py and its threshold; a logistic
"in scope" model and threshold; the ambiguity margin. The operating point is measured on
held-out folds (the models refitted without the fold), so it is an honest estimate.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from bot.routing.features import FEATURES, Geometry, feature_matrix

DATA = Path(__file__).resolve().parents[1] / "data"
CALIBRATION_VERSION = "7"
ALPHAS = (0.0, 0.25, 0.5, 0.75, 1.0)
BETAS = (0.0, 0.02, 0.04, 0.06, 0.08, 0.1)
FOLDS = 5
MIN_PHRASINGS_FOR_CENTROID = 5  # median phrasings per FAQ entry needed to fit alpha
MAX_HELDOUT = 1000  # held-out phrasings fitted on, at most (a stable sample on large knowledge bases)
MAX_NEAR_MISSES = 500  # leave-one-entry-out phrasings used as near misses, at most


@dataclass
class Calibration:
    answer_threshold: float = 0.5  # on the answer model's probability
    scope_threshold: float = 0.5  # on the scope model's probability
    ambiguity_margin: float = 0.03  # on entry scores
    alpha: float = 0.0
    beta: float = 0.0  # weight of keyword agreement in entry scores
    # Logistic models over the standardised features (bias first), see bot/routing/features.py.
    answer_model: list[float] = field(default_factory=lambda: [0.0, 10.0, 0.0, 0.0])
    scope_model: list[float] = field(default_factory=lambda: [0.0, 10.0, 0.0, 0.0])
    center: list[float] = field(default_factory=lambda: [0.5, 0.05, 0.0])
    scale: list[float] = field(default_factory=lambda: [0.1, 0.05, 0.1])
    version: str = CALIBRATION_VERSION
    key: str = ""  # kb fingerprint + model fingerprint it was fitted for
    operating_point: dict = field(default_factory=dict)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> "Calibration":
        data = json.loads(text)
        if data.get("version") != CALIBRATION_VERSION:
            return cls(key="")  # stale format: refit
        return cls(**data)

    def standardise(self, feats: np.ndarray) -> np.ndarray:
        return (np.atleast_2d(feats) - np.array(self.center)) / np.array(self.scale)

    def answer_prob(self, feats: np.ndarray) -> np.ndarray:
        return _prob(self.answer_model, self.standardise(feats))

    def scope_prob(self, feats: np.ndarray) -> np.ndarray:
        return _prob(self.scope_model, self.standardise(feats))


def _prob(model: list[float], x: np.ndarray) -> np.ndarray:
    w = np.asarray(model, np.float64)
    return 1.0 / (1.0 + np.exp(-(w[0] + x @ w[1:])))


def calibration_texts() -> tuple[list[str], list[str]]:
    """(out-of-scope requests, unanswerable product questions) written for helpbot."""
    return read_lines(DATA / "out_of_scope.txt"), read_lines(DATA / "in_scope_generic.txt")


def calibration_key(kb_fingerprint: str, identity) -> str:
    """Changes when anything the fit depends on changes: knowledge, model, example lists."""
    h = hashlib.sha256()
    for path in (DATA / "out_of_scope.txt", DATA / "in_scope_generic.txt"):
        h.update(path.read_bytes() if path.is_file() else b"-")
    return f"{CALIBRATION_VERSION}:{kb_fingerprint}:{identity.fingerprint}:{h.hexdigest()[:12]}"


def read_lines(path: Path) -> list[str]:
    if not path.is_file():
        return []
    return [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-2, steps: int = 50) -> list[float]:
    """Class-balanced, L2-regularised logistic regression by Newton's method (few features)."""
    if len(x) == 0 or y.min() == y.max():
        return [0.0] + [0.0] * x.shape[1]
    xb = np.c_[np.ones(len(x)), x]
    pos = y.mean()
    sw = np.where(y > 0, 0.5 / pos, 0.5 / (1 - pos)) / len(y)
    w = np.zeros(xb.shape[1])
    reg = l2 * np.r_[0.0, np.ones(x.shape[1])]
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-np.clip(xb @ w, -30, 30)))
        grad = xb.T @ (sw * (p - y)) + reg * w
        hess = (xb * (sw * p * (1 - p))[:, None]).T @ xb + np.diag(reg + 1e-9)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return [float(v) for v in w]


def best_threshold(pos: np.ndarray, *negative_groups: np.ndarray) -> tuple[float, float]:
    """Threshold maximising balanced accuracy: positives accepted vs each negative group rejected.

    Every group weighs the same, whatever its size. The threshold is put midway to the next
    lower score, for a margin.
    """
    groups = [g for g in negative_groups if len(g)]
    candidates = np.unique(np.r_[pos, *groups]) if len(pos) or groups else np.zeros(0)
    if not len(candidates):
        return 0.5, 0.0
    best_t, best_acc = 0.5, -1.0
    for t in candidates:
        p = float(np.mean(pos >= t)) if len(pos) else 0.0
        n = float(np.mean([np.mean(g < t) for g in groups])) if groups else 1.0
        acc = 0.5 * (p + n)
        if acc > best_acc:
            best_t, best_acc = float(t), acc
    lower = candidates[candidates < best_t]
    if len(lower):
        best_t = float((best_t + lower.max()) / 2)
    return best_t, best_acc


def heldout_rows(geometry: Geometry, most: int = MAX_HELDOUT) -> np.ndarray:
    """Rows whose entry keeps at least one other phrasing when they are held out (FAQ only), at most `most`."""
    chunks = geometry.index.chunks
    keep = [r for r, c in enumerate(geometry.row_chunk.tolist()) if chunks[c].kind == "faq" and geometry.sizes[c] >= 2]
    return stable_sample(geometry, np.array(keep, np.int64), most)


def stable_sample(geometry: Geometry, rows: np.ndarray, most: int) -> np.ndarray:
    """At most `most` of `rows`, chosen by a hash of their text (deterministic): the same phrasings
    stay chosen when other entries change, so an edit to a large knowledge base refits on almost
    the same sample, and the fit's cost stops growing with the knowledge's size."""
    if len(rows) <= most:
        return rows
    keys = [hashlib.blake2b(geometry.row_texts[r].encode("utf-8", "surrogatepass"), digest_size=8).digest() for r in rows]
    order = sorted(range(len(rows)), key=lambda i: (keys[i], int(rows[i])))
    return np.sort(rows[order[:most]])


def fit_alpha(geometry: Geometry, rows: np.ndarray) -> tuple[float, dict[str, float]]:
    """Centroid weight by leave-one-out accuracy, when entries have enough phrasings to average.

    With few phrasings per entry, holding one out leaves an unrepresentative centroid, so the
    test says little; the best-phrasing score (alpha 0) is used instead.
    """
    if not len(rows):
        return 0.0, {}
    faq_sizes = [int(geometry.sizes[c]) for c, chunk in enumerate(geometry.index.chunks) if chunk.kind == "faq"]
    if float(np.median(faq_sizes)) < MIN_PHRASINGS_FOR_CENTROID:
        return 0.0, {"skipped": float(np.median(faq_sizes))}
    vectors, truth = geometry.rows[rows], geometry.row_chunk[rows]
    accuracy = {a: float((geometry.entry_scores(vectors, a, rows).argmax(1) == truth).mean()) for a in ALPHAS}
    best = max(accuracy.values())
    alpha = min(a for a, acc in accuracy.items() if acc >= best - 1e-9)  # ties: closest to best-phrasing
    return alpha, {str(a): round(v, 4) for a, v in accuracy.items()}


def fit_beta(geometry: Geometry, rows: np.ndarray, alpha: float) -> tuple[float, dict[str, float]]:
    """Keyword weight by leave-one-out accuracy (the phrasing is removed from its entry's words too)."""
    beta, accuracy, _ = _fit_beta(geometry, rows, alpha)
    return beta, accuracy


def _fit_beta(geometry: Geometry, rows: np.ndarray, alpha: float) -> tuple[float, dict[str, float], np.ndarray]:
    """`fit_beta`, plus the held-out rows' entry scores at that beta (what the fit goes on with)."""
    if not len(rows):
        return 0.0, {}, np.zeros((0, geometry.n), np.float32)
    vectors, truth = geometry.rows[rows], geometry.row_chunk[rows]
    texts = [geometry.row_texts[r] for r in rows]
    base = geometry.entry_scores(vectors, alpha, rows)
    kw = geometry.keywords.matrix(texts, [(int(truth[i]), texts[i]) for i in range(len(rows))])
    accuracy = {b: float((_argmax_with(base, kw, b) == truth).mean()) for b in BETAS}
    best = max(accuracy.values())
    beta = min(b for b, acc in accuracy.items() if acc >= best - 1e-9)
    return beta, {str(b): round(v, 4) for b, v in accuracy.items()}, base + beta * kw


def _argmax_with(base: np.ndarray, kw: np.ndarray, beta: float) -> np.ndarray:
    """`(base + beta * kw).argmax(1)` for keyword scores in [0, 1], over the only entries that can win:
    those within `beta` of each row's best base score (a few per row, not every entry)."""
    if not beta or not base.size:
        return base.argmax(1)
    qi, ei = np.nonzero(base >= base.max(1, keepdims=True) - beta)
    score = base[qi, ei] + beta * kw[qi, ei]
    order = np.lexsort((-score, qi))  # per row, best first (nonzero keeps column order for ties)
    first = np.r_[True, qi[order][1:] != qi[order][:-1]]
    return ei[order][first]


def fit_margin(gaps: np.ndarray, correct: np.ndarray, in_top2: np.ndarray, ratio: float = 0.8, least: int = 5) -> float:
    """Largest top-2 gap under which the best entry is clearly less often the right one of the two.

    Among held-out phrasings whose entry is one of the two best, those with a gap under the
    margin were the first less than `ratio` times as often as such phrasings overall: there,
    the router offers the other entry too ("Did you mean").
    """
    if in_top2.sum() < least:
        return 0.0
    floor = ratio * float(correct[in_top2].mean())
    margin = 0.0
    for g in np.arange(0.005, 0.1001, 0.005):
        close = (gaps < g) & in_top2
        if close.sum() >= least and correct[close].mean() < floor:
            margin = float(g)
    return round(margin, 4)


def fit(
    geometry: Geometry,
    negatives: tuple[list[str], np.ndarray],
    unknowns: tuple[list[str], np.ndarray],
    key: str = "",
) -> Calibration:
    """`negatives`/`unknowns`: (texts, embeddings) of out-of-scope requests / unanswerable product questions."""
    (negative_texts, negatives), (unknown_texts, unknowns) = negatives, unknowns
    rows = heldout_rows(geometry)
    alpha, alpha_acc = fit_alpha(geometry, rows)
    beta, beta_acc, pos_scores = _fit_beta(geometry, rows, alpha)
    truth = geometry.row_chunk[rows]
    pos_ok = pos_scores.argmax(1) == truth if len(rows) else np.zeros(0, bool)
    pos = feature_matrix(geometry, pos_scores)
    near = near_misses(geometry, alpha, beta)
    neg = _features(geometry, negatives, negative_texts, alpha, beta)
    unk = _features(geometry, unknowns, unknown_texts, alpha, beta)
    every = np.r_[pos, neg, unk, near] if len(pos) + len(neg) + len(unk) + len(near) else np.zeros((1, len(FEATURES)))
    center = every.mean(0)
    scale = every.std(0)
    scale[scale < 1e-6] = 1.0
    cal = Calibration(alpha=alpha, beta=beta, center=[float(v) for v in center], scale=[float(v) for v in scale], key=key)
    point = _cross_validate(cal, pos, pos_ok, neg, unk, near)
    _fit_models(cal, pos, pos_ok, neg, unk, near)
    answered_p = cal.answer_prob(pos) if len(pos) else np.zeros(0)
    if len(pos) and pos_scores.shape[1] > 1:
        in_top2 = pos_scores[np.arange(len(rows)), truth] >= pos[:, 0] - pos[:, 1] - 1e-6  # at least the runner-up's score
        cal.ambiguity_margin = fit_margin(pos[:, 1], pos_ok, in_top2)
    point.update(
        {
            "heldout_phrasings": int(len(pos)),
            "heldout_top1": round(float(pos_ok.mean()), 4) if len(pos) else 0.0,
            "alpha_accuracy": alpha_acc,
            "beta_accuracy": beta_acc,
            "out_of_scope_examples": int(len(neg)),
            "unknown_examples": int(len(unk)),
            "near_miss_examples": int(len(near)),
            "in_sample_answer_rate": round(float((answered_p >= cal.answer_threshold).mean()), 4) if len(pos) else 0.0,
        }
    )
    cal.operating_point = point
    return cal


def near_misses(geometry: Geometry, alpha: float, beta: float, most: int = MAX_NEAR_MISSES) -> np.ndarray:
    """Features of FAQ phrasings asked of the knowledge without their own entry (leave-one-entry-out):
    questions about the service that no entry answers, as close to the others as real ones get.
    At most `most` phrasings (`stable_sample`)."""
    chunks = geometry.index.chunks
    rows = np.array([r for r, c in enumerate(geometry.row_chunk.tolist()) if chunks[c].kind == "faq"], np.int64)
    if geometry.n < 2 or not len(rows):
        return np.zeros((0, len(FEATURES)), np.float32)
    rows = stable_sample(geometry, rows, most)
    texts = [geometry.row_texts[r] for r in rows]
    own = geometry.row_chunk[rows].tolist()
    scores = geometry.entry_scores(geometry.rows[rows], alpha, None, texts, beta, without=own)
    return feature_matrix(geometry, scores, own)


def _features(geometry: Geometry, vectors: np.ndarray, texts: list[str], alpha: float, beta: float) -> np.ndarray:
    if not len(vectors) or vectors.ndim != 2 or vectors.shape[1] != geometry.rows.shape[1]:
        return np.zeros((0, len(FEATURES)), np.float32)
    return feature_matrix(geometry, geometry.entry_scores(vectors, alpha, None, texts, beta))


def _fit_models(cal: Calibration, pos, pos_ok, neg, unk, near) -> None:
    """Answer model: held-out phrasings that found their own entry vs out-of-scope requests and
    unanswerable product questions; its threshold balances right answers against out-of-scope
    requests. Scope model: in scope (product questions, near misses, phrasings) vs out.

    Near misses make the answer model worse on unseen domains (measured, benchmarks/README.md):
    they only teach the scope model what an unanswered question about the service looks like."""
    right = pos[pos_ok]
    answer_x = cal.standardise(np.r_[right, neg, unk])
    answer_y = np.r_[np.ones(len(right)), np.zeros(len(neg) + len(unk))]
    cal.answer_model = fit_logistic(answer_x, answer_y)
    prob = lambda x: cal.answer_prob(x) if len(x) else np.zeros(0)  # noqa: E731
    cal.answer_threshold = round(best_threshold(prob(right), prob(neg))[0], 6)
    inside = np.r_[unk, near]
    if len(inside) and len(neg):
        scope_x = cal.standardise(np.r_[inside, pos, neg])
        scope_y = np.r_[np.ones(len(inside) + len(pos)), np.zeros(len(neg))]
        cal.scope_model = fit_logistic(scope_x, scope_y)
        cal.scope_threshold = round(best_threshold(cal.scope_prob(inside), cal.scope_prob(neg))[0], 6)
    else:
        cal.scope_model = list(cal.answer_model)
        cal.scope_threshold = cal.answer_threshold  # no examples: never "unknown" by score alone


def _cross_validate(cal: Calibration, pos, pos_ok, neg, unk, near, folds: int = FOLDS, seed: int = 0) -> dict:
    """Answer/refusal rates on held-out folds, each fold scored by models fitted without it."""
    rng = np.random.default_rng(seed)
    fp, fn, fu, fm = (rng.integers(0, folds, len(a)) for a in (pos, neg, unk, near))
    answered_right, declined, unknown_kept, refused, near_declined = [], [], [], [], []
    for k in range(folds):
        trial = Calibration(**{**cal.__dict__, "operating_point": {}})
        _fit_models(trial, pos[fp != k], pos_ok[fp != k], neg[fn != k], unk[fu != k], near[fm != k])
        if (fp == k).any():
            p = trial.answer_prob(pos[fp == k])
            answered_right += list((p >= trial.answer_threshold) & pos_ok[fp == k])
        if (fn == k).any():
            p = trial.answer_prob(neg[fn == k])
            declined += list(p < trial.answer_threshold)
            refused += list((p < trial.answer_threshold) & (trial.scope_prob(neg[fn == k]) < trial.scope_threshold))
        if (fu == k).any():
            p = trial.answer_prob(unk[fu == k])
            unknown_kept += list((p < trial.answer_threshold) & (trial.scope_prob(unk[fu == k]) >= trial.scope_threshold))
        if (fm == k).any():
            near_declined += list(trial.answer_prob(near[fm == k]) < trial.answer_threshold)
    rate = lambda v: round(float(np.mean(v)), 4) if len(v) else None  # noqa: E731
    return {
        "folds": folds,
        "heldout_answered_right": rate(answered_right),
        "out_of_scope_declined": rate(declined),
        "out_of_scope_refused": rate(refused),
        "unknown_routed_unknown": rate(unknown_kept),
        "near_miss_declined": rate(near_declined),
    }
