"""Precision / recall of the PII detectors per entity type on the presidio synthetic set.

    python -m bot.dev.measure_pii [--data ../shared/data]

A predicted span is a true positive when it overlaps a labelled span of the same type.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from bot.dev import datasets as D
from bot.guard.pii import find_pii

TYPES = {"pii.email": "EMAIL_ADDRESS", "pii.phone": "PHONE_NUMBER", "pii.card": "CREDIT_CARD",
         "pii.iban": "IBAN_CODE", "pii.ssn": "US_SSN", "pii.ip": "IP_ADDRESS", "pii.my_number": "MY_NUMBER"}


def measure(rows: list[dict]) -> dict[str, dict[str, float]]:
    tp_pred, pred, tp_gold, gold = Counter(), Counter(), Counter(), Counter()
    for row in rows:
        spans = [(s["entity_type"], s["start_position"], s["end_position"]) for s in row["spans"]]
        found = [(TYPES[p.kind], p.start, p.end) for p in find_pii(row["full_text"])]
        for g in spans:
            gold[g[0]] += 1
            if any(f[0] == g[0] and f[1] < g[2] and g[1] < f[2] for f in found):
                tp_gold[g[0]] += 1
        for f in found:
            pred[f[0]] += 1
            if any(g[0] == f[0] and f[1] < g[2] and g[1] < f[2] for g in spans):
                tp_pred[f[0]] += 1
    out = {}
    for t in TYPES.values():
        if gold[t] or pred[t]:
            out[t] = {"gold": gold[t], "predicted": pred[t],
                      "precision": tp_pred[t] / pred[t] if pred[t] else float("nan"),
                      "recall": tp_gold[t] / gold[t] if gold[t] else float("nan")}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bot.dev.measure_pii")
    ap.add_argument("--data", help="development data folder (default ../shared/data)")
    args = ap.parse_args(argv)
    root = D.data_dir(args.data)
    if root is None:
        print("skipped: no development data folder (../shared/data)")
        return 0
    rows = D.presidio(root)
    print(f"presidio_synth_dev: {len(rows)} sentences")
    print(f"{'entity':<15}{'gold':>6}{'pred':>6}{'precision':>11}{'recall':>8}")
    for t, m in measure(rows).items():
        print(f"{t:<15}{m['gold']:>6}{m['predicted']:>6}{m['precision']:>11.3f}{m['recall']:>8.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
