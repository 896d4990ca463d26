"""`helpbot doctor`: machine, model file and LLM config checks."""

from __future__ import annotations

import sys

import click

from bot.cli.app import friendly_errors, main, settings_from


@main.command()
@click.option("--generate", is_flag=True, help="Also load the model and generate one token.")
@click.pass_context
@friendly_errors
def doctor(ctx, generate):
    """Report CPU, RAM, GPU; read the GGUF's metadata; estimate memory; check the [llm] config."""
    from bot.llm.doctor import run_doctor

    settings = settings_from(ctx)
    checks = run_doctor(dict(settings.llm), generate=generate) + [_embedding_check(settings)]
    for check in checks:
        click.echo(f"{'ok ' if check.ok else 'FAIL'} {check.check}: {check.detail}")
    if not all(c.ok for c in checks):
        sys.exit(1)


def _embedding_check(settings):
    """The embedding model loads, and the languages it reads (bot/core/coverage.py)."""
    from bot.core.coverage import doctor_check
    from bot.errors import HelpbotError
    from bot.llm.doctor import Check
    from bot.search.embeddings import get_embedder

    e = settings.embedding
    try:
        embedder = get_embedder(e["model"], e["device"] or None, e["batch_size"])
    except HelpbotError as exc:
        return Check("embedding", False, str(exc))
    return Check("embedding", *doctor_check(embedder, e.get("languages")))
