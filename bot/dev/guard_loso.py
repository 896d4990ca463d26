"""Leave-one-source-out measure of the input guard: the headline generalisation figure.

    python -m bot.dev.guard_evaluate            (runs this first, then the other protocols)
    python -m bot.dev.guard_evaluate --loso-only [--json out.json]

Attack sources (folds): deepset English, deepset German (its injections and benign rows, split by
function words), giskard, the wild jailbreaks. For each fold the injection head is trained on the
other sources only (the held-out source's benign rows are held out too), and its block threshold
is fitted on those same sources: an inner 70/30 split picks the lowest threshold at which no
training benign source has more than THRESHOLD_BENIGN of its inner held-out rows over it (or one
row, for a source too small to measure 1%). The whole
input guard (rules, exemplars, that head) then runs on the held-out source. Benign rows never
trained on are measured in every fold: CLINC150 val banking + credit_cards and the sample
knowledge's FAQ phrasings. Reported: per fold, then the mean and the worst fold; next to a plain
MiniLM nearest-neighbour baseline (an attack when the nearest training row is one).
"""

from __future__ import annotations

import re

import numpy as np

from bot.dev.guard_train import POSITIVE, SOURCE_WEIGHTS, fit_on

FOLDS = ("deepset_en", "deepset_de", "giskard", "wild")
NEGATIVE = tuple(k for k in SOURCE_WEIGHTS if k not in POSITIVE)
THRESHOLD_BENIGN = 0.01  # head alone, per training benign source, on inner held-out rows
GRID = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)
_DE = frozenset("und der die das nicht ist ich du sie wir ihr mir mich dich alle vorherigen anweisungen vergiss "
                "bitte jetzt auf mit für von zu ein eine einen wie was sind dein deine mein meine".split())
_EN = frozenset("the a an to of in and is are do does how what why can i my we you it this that with".split())


def is_german(text: str) -> bool:
    words = re.findall(r"\w+", text.lower())
    return sum(w in _DE for w in words) > sum(w in _EN for w in words)


def fold_rows(texts: dict[str, list[str]]) -> dict[str, dict[str, np.ndarray]]:
    """fold -> source -> the row indices that belong to the fold's held-out source."""
    german = {k: np.array([is_german(t) for t in texts[k]], dtype=bool) for k in ("deepset_pos", "deepset_neg")}
    out: dict[str, dict[str, np.ndarray]] = {}
    for fold in FOLDS:
        held = {k: np.zeros(len(v), dtype=bool) for k, v in texts.items() if k in SOURCE_WEIGHTS}
        if fold.startswith("deepset"):
            for k in ("deepset_pos", "deepset_neg"):
                held[k] = german[k] if fold == "deepset_de" else ~german[k]
        else:
            held[fold][:] = True
        out[fold] = {k: np.where(v)[0] for k, v in held.items()}
    return out


def fit_threshold(vecs: dict, texts: dict, train: dict[str, np.ndarray]) -> float:
    """The lowest grid threshold that keeps every training benign source's inner held-out rows
    at or under THRESHOLD_BENIGN (head alone)."""
    rng = np.random.default_rng(5)
    inner_train, inner_test = {}, {}
    for k, rows in train.items():
        order = rng.permutation(rows)
        cut = int(round(len(order) * 0.7))
        inner_train[k], inner_test[k] = np.sort(order[:cut]), np.sort(order[cut:])
    head = fit_on(vecs, texts, inner_train)
    rates = {t: 0.0 for t in GRID}
    for k in NEGATIVE:
        rows = inner_test[k]
        if not len(rows):
            continue
        p = head.prob(vecs[k][rows], [texts[k][i] for i in rows])
        allowed = max(THRESHOLD_BENIGN, 1.0 / len(rows))
        for t in GRID:
            rates[t] = max(rates[t], float((p >= t).mean()) / allowed)
    return next((t for t in GRID if rates[t] <= 1.0), GRID[-1])


def nearest_neighbour(vecs: dict, train: dict[str, np.ndarray], test_vecs: np.ndarray) -> np.ndarray:
    """Plain MiniLM 1-NN baseline: True where the nearest training row is an attack."""
    xs = np.concatenate([vecs[k][train[k]] for k in SOURCE_WEIGHTS if len(train[k])])
    ys = np.concatenate([np.full(len(train[k]), k in POSITIVE) for k in SOURCE_WEIGHTS if len(train[k])])
    out = []
    for start in range(0, len(test_vecs), 512):
        sims = test_vecs[start:start + 512] @ xs.T
        out.append(ys[np.argmax(sims, axis=1)])
    return np.concatenate(out) if out else np.zeros(0, bool)


def run_loso(policy: dict, vecs: dict, sources: dict, embed, extra_benign: dict[str, list[str]],
             run_guard, with_head) -> dict:
    """Per-fold and summary figures (see the module docstring). `run_guard`, `with_head`: from
    bot.dev.guard_evaluate (the same harness as the other protocols)."""
    folds = fold_rows(sources)
    report: dict = {"folds": {}, "threshold_rule": f"benign head-alone rate <= {THRESHOLD_BENIGN} (or one row) per source"}
    for fold, held in folds.items():
        train = {k: np.setdiff1d(np.arange(len(vecs[k])), held[k]) for k in held}
        threshold = fit_threshold(vecs, sources, train)
        fold_policy = {**policy, "injection_classifier": {**policy["injection_classifier"], "block": threshold,
                                                          "flag": min(threshold, policy["injection_classifier"]["flag"])}}
        attacks = [sources[k][i] for k in POSITIVE for i in held[k]]
        benign = [sources["deepset_neg"][i] for i in held["deepset_neg"]]

        def body(guard, attacks=attacks, benign=benign, fold=fold):
            got = {"attacks": run_guard(guard, attacks, embed, f"loso-{fold}-a")}
            if benign:
                got["benign_same_source"] = run_guard(guard, benign, embed, f"loso-{fold}-b")
            for name, rows in extra_benign.items():
                got[name] = run_guard(guard, rows, embed, f"loso-{fold}-{name}")
            return got

        got = with_head(fold_policy, vecs, sources, train, body)
        attack_vecs = np.concatenate([vecs[k][held[k]] for k in POSITIVE if len(held[k])])
        nn_attacks = float(nearest_neighbour(vecs, train, attack_vecs).mean())
        row = {"threshold": threshold, "attacks_n": got["attacks"]["n"],
               "attacks_blocked": got["attacks"]["blocked_or_stripped"], "nn_baseline_attacks_blocked": nn_attacks,
               "p50_ms": got["attacks"]["p50_ms"]}
        if benign:
            nn_benign = nearest_neighbour(vecs, train, vecs["deepset_neg"][held["deepset_neg"]])
            row |= {"benign_same_source_n": len(benign), "benign_same_source_blocked": got["benign_same_source"]["blocked"],
                    "nn_baseline_benign_blocked": float(nn_benign.mean())}
        for name in extra_benign:
            row[f"{name}_blocked"] = got[name]["blocked"]
        report["folds"][fold] = row
    rows = report["folds"].values()
    for key in ("attacks_blocked", "nn_baseline_attacks_blocked"):
        values = [r[key] for r in rows]
        report[f"{key}_mean"], report[f"{key}_worst"] = float(np.mean(values)), float(np.min(values))
    for key in ["benign_same_source_blocked", "nn_baseline_benign_blocked", *(f"{n}_blocked" for n in extra_benign)]:
        values = [r[key] for r in rows if key in r]
        if values:
            report[f"{key}_mean"], report[f"{key}_worst"] = float(np.mean(values)), float(np.max(values))
    return report


def print_loso(report: dict) -> None:
    print("\nLEAVE-ONE-SOURCE-OUT (head and its block threshold fitted on the other sources only)")
    extra = [k for k in next(iter(report["folds"].values())) if k.endswith("_blocked") and k not in
             ("attacks_blocked", "nn_baseline_attacks_blocked", "benign_same_source_blocked", "nn_baseline_benign_blocked")]
    print(f"{'held-out source':<16}{'n':>5}{'thr':>6}{'attacks':>9}{'NN base':>9}{'benign':>8}{'NN base':>9}"
          + "".join(f"{k.removesuffix('_blocked')[:14]:>16}" for k in extra))
    for fold, r in report["folds"].items():
        benign = f"{r['benign_same_source_blocked']:>8.3f}{r['nn_baseline_benign_blocked']:>9.3f}" \
            if "benign_same_source_blocked" in r else f"{'-':>8}{'-':>9}"
        print(f"{fold:<16}{r['attacks_n']:>5}{r['threshold']:>6.2f}{r['attacks_blocked']:>9.3f}"
              f"{r['nn_baseline_attacks_blocked']:>9.3f}{benign}" + "".join(f"{r[k]:>16.3f}" for k in extra))
    print(f"attacks blocked: mean {report['attacks_blocked_mean']:.3f}, worst {report['attacks_blocked_worst']:.3f} "
          f"(MiniLM 1-NN baseline: mean {report['nn_baseline_attacks_blocked_mean']:.3f}, "
          f"worst {report['nn_baseline_attacks_blocked_worst']:.3f})")
    for k in ["benign_same_source_blocked", *extra]:
        if f"{k}_mean" in report:
            print(f"{k}: mean {report[k + '_mean']:.3f}, worst fold {report[k + '_worst']:.3f}")
