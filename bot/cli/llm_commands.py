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

    checks = run_doctor(dict(settings_from(ctx).llm), generate=generate)
    for check in checks:
        click.echo(f"{'ok ' if check.ok else 'FAIL'} {check.check}: {check.detail}")
    if not all(c.ok for c in checks):
        sys.exit(1)
