"""Precision / recall of the PII detectors per entity type on the presidio synthetic set, and the
share of structured identifiers kept out of the audit log and the logs.

    python -m bot.dev.measure_pii [--data ../shared/data]

A predicted span is a true positive when it overlaps a labelled span of the same type. "Kept out":
a labelled structured identifier (address, postcode, phone, card, e-mail, IBAN, SSN, IP, driver
licence) counts when what the audit log and the logs store (`redact_pii`: personal data and
secrets) replaced every one of its digits and at least 80% of its letters, whatever the placeholder.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from bot.dev import datasets as D
from bot.guard.pii import find_pii, resolve
from bot.guard.secrets import find_secrets

TYPES = {"pii.email": "EMAIL_ADDRESS", "pii.phone": "PHONE_NUMBER", "pii.card": "CREDIT_CARD",
         "pii.iban": "IBAN_CODE", "pii.ssn": "US_SSN", "pii.ip": "IP_ADDRESS", "pii.my_number": "MY_NUMBER",
         "pii.address": "STREET_ADDRESS", "pii.postcode": "ZIP_CODE", "pii.id_number": "US_DRIVER_LICENSE"}
STRUCTURED = ("STREET_ADDRESS", "ZIP_CODE", "PHONE_NUMBER", "CREDIT_CARD", "EMAIL_ADDRESS", "IBAN_CODE", "US_SSN",
              "IP_ADDRESS", "US_DRIVER_LICENSE")


def kept_out(rows: list[dict]) -> dict[str, dict[str, float]]:
    """Per structured type: labelled spans, and the share whose digits and >= 80% of letters were redacted."""
    total, kept = Counter(), Counter()
    leaks: list[str] = []
    for row in rows:
        text = row["full_text"]
        covered = bytearray(len(text))
        for s in resolve(find_pii(text) + find_secrets(text)):
            covered[s.start:s.end] = b"\x01" * (s.end - s.start)
        for g in row["spans"]:
            kind = g["entity_type"]
            if kind not in STRUCTURED:
                continue
            total[kind] += 1
            idx = range(g["start_position"], g["end_position"])
            digits = [i for i in idx if text[i].isdigit()]
            letters = [i for i in idx if text[i].isalpha()]
            ok = all(covered[i] for i in digits) and (
                not letters or sum(covered[i] for i in letters) >= 0.8 * len(letters))
            kept[kind] += ok
            if not ok:
                leaks.append(f"{kind}: {g['entity_value']!r}")
    out = {t: {"labelled": total[t], "kept_out": kept[t] / total[t]} for t in STRUCTURED if total[t]}
    n = sum(total.values())
    out["all structured"] = {"labelled": n, "kept_out": sum(kept.values()) / n if n else float("nan")}
    out["_leaks"] = leaks  # type: ignore[assignment]
    return out


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


# Structured identifiers that need no fixed syntax (places, phones, ids): the ones that can misfire on
# an ordinary question ("on Windows 10", "in 2024", "order 123456").
LOOSE = ("pii.address", "pii.postcode", "pii.phone", "pii.id_number")


def false_redactions(root) -> dict[str, tuple[int, int, list[str]]]:
    """Ordinary messages with an address, postcode, phone or id redacted: (texts, redacted, examples)."""
    sets = {"CLINC150 train+val+oos": [t for split in ("train", "val", "oos_train", "oos_val") for t, _ in D.clinc(root, split)],
            "BANKING77": [t for t, _ in D.banking77(root)], "alpaca": D.alpaca(root),
            "deepset benign": [t for t, label in D.deepset(root) if label == 0]}
    out = {}
    for name, texts in sets.items():
        hit = [t for t in texts if any(s.kind in LOOSE for s in find_pii(t))]
        out[name] = (len(texts), len(hit), hit[:5])
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bot.dev.measure_pii")
    ap.add_argument("--data", help="development data folder (default ../shared/data)")
    ap.add_argument("--leaks", action="store_true", help="print the identifiers that were not kept out")
    ap.add_argument("--benign", action="store_true",
                    help="also count ordinary messages (CLINC150, BANKING77, alpaca, deepset benign) with an address, "
                         "postcode, phone or id redacted")
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
    kept = kept_out(rows)
    leaks = kept.pop("_leaks")
    print(f"\nkept out of the audit log and logs (goal >= 0.99)\n{'entity':<18}{'labelled':>9}{'kept out':>10}")
    for t, m in kept.items():
        print(f"{t:<18}{m['labelled']:>9}{m['kept_out']:>10.3f}")
    if args.leaks:
        print("\n".join(leaks))
    if args.benign:
        print("\nordinary messages with an address, postcode, phone or id redacted (goal: none)")
        for name, (n, hit, examples) in false_redactions(root).items():
            print(f"{name:<24}{n:>7}{hit:>6}  {hit / max(1, n):.4f}" + ("".join(f"\n    {e!r}" for e in examples) if args.leaks else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
