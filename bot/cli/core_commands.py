"""Core commands: ask, chat, index, eval, config."""

from __future__ import annotations

import asyncio
import json
import sys

import click

from bot import strings
from bot.cli.app import friendly_errors, knowledge_option, load_bot, main, settings_from
from bot.messages import Message


@main.command()
@knowledge_option
@click.option("--json", "as_json", is_flag=True, help="Print the reply record as JSON.")
@click.argument("text", nargs=-1, required=True)
@click.pass_context
@friendly_errors
def ask(ctx, knowledge, as_json, text):
    """Answer one question, e.g. helpbot ask "How do I invite a member?"."""
    bot = load_bot(ctx, knowledge)
    reply = bot.answer_sync(Message(" ".join(text), platform="cli", user_id="cli", channel_id="cli"))
    from adapters.console import render_text

    click.echo(json.dumps(reply.to_dict(), ensure_ascii=False, indent=2) if as_json else render_text(reply))


@main.command()
@knowledge_option
@click.pass_context
@friendly_errors
def chat(ctx, knowledge):
    """Chat in the terminal (or pipe one message per line). /help lists commands."""
    from adapters.console import Console
    from adapters.serve import serve

    asyncio.run(serve(Console(stdin=sys.stdin), lambda: load_bot(ctx, knowledge), say=lambda _: None, ops=False))


@main.command()
@knowledge_option
@click.option("--progress/--no-progress", default=None,
              help="Show embedding progress on stderr (default: only when stderr is a terminal).")
@click.pass_context
@friendly_errors
def index(ctx, knowledge, progress):
    """Validate and index the knowledge folder, re-embedding only what changed."""
    bot = load_bot(ctx, knowledge, progress=progress)
    snap = bot.snapshot
    st = snap.stats
    kinds = {k: sum(1 for c in snap.kb.chunks if c.kind == k) for k in ("faq", "doc")}
    click.echo(
        f"indexed {snap.kb.root}: {kinds['faq']} FAQ entries, {kinds['doc']} doc sections "
        f"({st.embedded_texts} texts embedded, {st.reused_texts} reused) in {st.seconds:.2f}s"
    )
    click.echo(f"changes: {len(st.added)} added, {len(st.changed)} changed, {len(st.removed)} removed")
    op = snap.calibration.operating_point
    click.echo(
        f"calibration: answer >= {snap.calibration.answer_threshold:.3f}, in scope >= {snap.calibration.scope_threshold:.3f}; "
        f"held-out phrasings answered with the right entry {_pct(op.get('heldout_answered_right'))}, "
        f"out-of-scope declined {_pct(op.get('out_of_scope_declined'))}"
    )
    findings = snap.findings
    click.echo(strings.KNOWLEDGE_FINDINGS.format(count=len(findings)) if findings else strings.KNOWLEDGE_CLEAN)
    for finding in findings:
        click.echo(f"  {finding.describe()}")


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


@main.command(name="eval")
@knowledge_option
@click.argument("cases", type=click.Path(dir_okay=False))
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="Write one result line per case here.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.pass_context
@friendly_errors
def eval_command(ctx, knowledge, cases, out, as_json):
    """Run labelled cases (JSON lines) and print accuracy, per-route precision/recall and latency."""
    from bot.core.evaluate import format_summary, load_cases, run_eval

    loaded = load_cases(cases)
    bot = load_bot(ctx, knowledge)
    results, summary = run_eval(bot, loaded)
    if out:
        with open(out, "w", encoding="utf-8") as fh:
            for row in results:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    click.echo(json.dumps(summary, indent=2) if as_json else format_summary(summary))


@main.command(name="config")
@click.pass_context
@friendly_errors
def config_command(ctx):
    """Print the effective settings (secrets masked) and where each came from."""
    settings = settings_from(ctx)
    shown = settings.to_display()
    shown["sources"] = settings.sources
    click.echo(json.dumps(shown, indent=2))
