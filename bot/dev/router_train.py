"""Re-make bot/data/router_head.npz from ../shared/data: `python -m bot.dev.router_train [--shared DIR]`.

Help-desk questions about a service (positives): BANKING77 train, CLINC150 `banking` and
`credit_cards` train rows. Generic requests (negatives): alpaca generic instructions, every other
CLINC150 domain's train rows and `oos_train`. Only train-side rows are used; CLINC `val` stays
untouched for measuring, and so is every fifth BANKING77 and alpaca row (`datasets.reserved`),
the test set of `benchmarks/clinc_eval.py --protocol banking77`. Size and weight decay are
chosen on a random 20% split of the training rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import numpy as np

from bot.dev import datasets as D
from bot.routing.head import HEAD_PATH, Head

SERVICE_DOMAINS = ("banking", "credit_cards")
SETTINGS = ((128, 1e-4), (256, 1e-4), (256, 1e-3))  # (hidden units, weight decay), chosen on the 20% split
EPOCHS = 15


def training_texts(shared: Path) -> tuple[list[str], list[str]]:
    clinc = D.clinc_splits(shared)
    domains = D.clinc_domains(shared)
    service = {i for d in SERVICE_DOMAINS for i in domains.get(d, [])}
    train = clinc.get("train", [])
    banking = [t for n, (t, _) in enumerate(D.banking77(shared)) if not D.reserved(n)]
    generic = [t for n, t in enumerate(D.alpaca(shared)) if not D.reserved(n)]
    positives = banking + [t for t, i in train if i in service]
    negatives = generic + [t for t, i in train if i not in service]
    negatives += [t for t, _ in clinc.get("oos_train", [])]
    return positives, negatives


def fit_head(x: np.ndarray, y: np.ndarray, hidden: int, decay: float, seed: int = 0) -> tuple[np.ndarray, ...]:
    """One hidden layer, class-balanced logistic loss, AdamW, dropout 0.2. Returns numpy weights."""
    import torch

    torch.manual_seed(seed)
    xt = torch.tensor(x, dtype=torch.float32)
    yt = torch.tensor(y, dtype=torch.float32)
    net = torch.nn.Sequential(
        torch.nn.Linear(x.shape[1], hidden), torch.nn.ReLU(), torch.nn.Dropout(0.2), torch.nn.Linear(hidden, 1)
    )
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=decay)
    pos_weight = torch.tensor(float((y == 0).sum()) / max(1.0, float((y == 1).sum())))
    generator = torch.Generator().manual_seed(seed)
    for _ in range(EPOCHS):
        net.train()
        order = torch.randperm(len(xt), generator=generator)
        for start in range(0, len(xt), 256):
            idx = order[start : start + 256]
            logits = net(xt[idx]).squeeze(1)
            loss = torch.nn.functional.binary_cross_entropy_with_logits(logits, yt[idx], pos_weight=pos_weight)
            opt.zero_grad()
            loss.backward()
            opt.step()
    first, last = net[0], net[3]
    return (
        first.weight.detach().numpy().T.copy(),
        first.bias.detach().numpy().copy(),
        last.weight.detach().numpy()[0].copy(),
        float(last.bias.item()),
    )


def balanced_accuracy(logits: np.ndarray, y: np.ndarray) -> float:
    pred = logits >= 0
    return float(0.5 * (pred[y == 1].mean() + (~pred[y == 0]).mean()))


def train(shared: Path, embedder, seed: int = 0) -> tuple[Head, dict]:
    positives, negatives = training_texts(shared)
    if not positives or not negatives:
        raise SystemExit(f"no training data under {shared} (expected clinc150/, banking77/, generic_requests/)")
    x = D.embed_cached(embedder, positives + negatives)
    y = np.r_[np.ones(len(positives)), np.zeros(len(negatives))].astype(np.float32)
    holdout = np.random.default_rng(seed).random(len(y)) < 0.2
    scores = {}
    for hidden, decay in SETTINGS:
        w1, b1, w2, b2 = fit_head(x[~holdout], y[~holdout], hidden, decay, seed)
        probe = Head(w1, b1, w2, b2, {})
        scores[(hidden, decay)] = balanced_accuracy(probe.logit(x[holdout]), y[holdout])
    hidden, decay = max(scores, key=scores.get)
    w1, b1, w2, b2 = fit_head(x, y, hidden, decay, seed)
    ident = embedder.identity
    info = {
        "trained": dt.date.today().isoformat(),
        "embedding_model": ident.name,
        "embedding_fingerprint": ident.fingerprint,
        "positives": len(positives),
        "negatives": len(negatives),
        "hidden": hidden,
        "weight_decay": decay,
        "holdout_balanced_accuracy": round(scores[(hidden, decay)], 4),
        "sources": "banking77/train, clinc150 train+oos_train, generic_requests/alpaca_harmless_dev "
        "(without every fifth banking77/alpaca row, kept for benchmarks/clinc_eval.py --protocol banking77)",
        "remake": "python -m bot.dev.router_train --shared ../shared/data",
    }
    return Head(w1, b1, w2, b2, info), {f"{h}/{d}": round(v, 4) for (h, d), v in scores.items()}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=D.default_shared())
    parser.add_argument("--out", type=Path, default=HEAD_PATH)
    args = parser.parse_args(argv)
    from bot.search.embeddings import get_embedder

    head, scores = train(args.shared, get_embedder())
    head.save(args.out)
    print(f"wrote {args.out}: {head.info['hidden']} hidden units, decay {head.info['weight_decay']}; "
          f"balanced accuracy on the 20% train-side split by setting: {scores}")


if __name__ == "__main__":
    main()
