"""`helpbot calibrate`: fit the router to a knowledge base and print its operating point."""

from __future__ import annotations

import dataclasses
import json

import click

from bot.cli.app import friendly_errors, knowledge_option, load_bot, main


def recalibrate(bot):
    """Fit the calibration afresh for the served snapshot, store it with the index, swap it in."""
    from bot.search.store import open_db, set_meta
    from bot.core.snapshot import fit_calibration
    from bot.paths import index_path

    snapshot = bot.snapshot
    db = open_db(index_path(bot.settings, bot.knowledge_dir))
    try:
        calibration = fit_calibration(db, snapshot.index, bot.embedder, snapshot.calibration.key, snapshot.geometry)
        with db.conn:
            set_meta(db, calibration=calibration.to_json())
    finally:
        db.conn.close()
    bot.swap(dataclasses.replace(snapshot, calibration=calibration))
    return calibration


def describe(calibration) -> list[str]:
    op = calibration.operating_point
    pct = lambda v: "-" if v is None else f"{v:.1%}"  # noqa: E731
    return [
        f"entry score: {calibration.alpha:.2f} x centroid + {1 - calibration.alpha:.2f} x best phrasing"
        f" + {calibration.beta:.2f} x keywords",
        f"answer when p >= {calibration.answer_threshold:.3f}; unknown (not refuse) when scope p >= "
        f"{calibration.scope_threshold:.3f}; 'Did you mean' when the top two are within {calibration.ambiguity_margin:.3f}",
        f"held-out folds ({op.get('folds', '-')}): phrasings answered with the right entry {pct(op.get('heldout_answered_right'))}"
        f" (leave-one-out top-1 {pct(op.get('heldout_top1'))}, {op.get('heldout_phrasings', 0)} phrasings)",
        f"  out-of-scope declined {pct(op.get('out_of_scope_declined'))}, refused {pct(op.get('out_of_scope_refused'))}"
        f" ({op.get('out_of_scope_examples', 0)} examples); unanswerable product questions routed unknown "
        f"{pct(op.get('unknown_routed_unknown'))} ({op.get('unknown_examples', 0)} examples); near misses "
        f"(phrasings without their entry) declined {pct(op.get('near_miss_declined'))} ({op.get('near_miss_examples', 0)})",
    ]


@main.command()
@knowledge_option
@click.option("--json", "as_json", is_flag=True, help="Print the calibration as JSON.")
@click.pass_context
@friendly_errors
def calibrate(ctx, knowledge, as_json):
    """Fit the router's thresholds to the knowledge base and store them with its index."""
    bot = load_bot(ctx, knowledge, progress=True)
    calibration = recalibrate(bot)
    if as_json:
        click.echo(json.dumps(dataclasses.asdict(calibration), indent=2))
        return
    click.echo(f"calibrated {bot.knowledge_dir}")
    for line in describe(calibration):
        click.echo(line)
