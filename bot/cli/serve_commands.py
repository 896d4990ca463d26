"""`helpbot serve <platform>`: one subcommand per registered platform (adapters/registry.py), each
with `--knowledge` plus the options its adapter declares, all run by the shared adapters/serve.py."""

from __future__ import annotations

import asyncio
import os

import click

from bot.cli.app import friendly_errors, knowledge_option, load_bot, main, settings_from
from bot.errors import HelpbotError


class Platforms(click.Group):
    """Subcommands from the `helpbot.adapters` entry points, loaded when named."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from adapters.registry import names

        return names()

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        from adapters.registry import load, names

        if name not in names():
            return None
        try:
            return platform_command(load(name))
        except HelpbotError as exc:  # a broken platform package: say so when it is used
            problem = str(exc)

            @click.command(name, help=f"(cannot be loaded: {problem})")
            @friendly_errors
            def broken():
                raise HelpbotError(problem)

            return broken


def platform_command(adapter_class) -> click.Command:
    def run(ctx: click.Context, knowledge: str | None, **options) -> None:
        from adapters.serve import serve

        adapter = adapter_class(settings_from(ctx), **options)
        asyncio.run(serve(adapter, lambda: load_bot(ctx, knowledge), say=lambda m: click.echo(m, err=True)))

    command = click.command(adapter_class.name, help=adapter_class.help)(knowledge_option(click.pass_context(friendly_errors(run))))
    command.params.extend(getattr(adapter_class, "options", ()))
    return command


@main.group(cls=Platforms)
def serve():
    """Run helpbot on a chat platform. Logs go to stderr as JSON lines (HELPBOT_LOG_LEVEL, default INFO)."""
    from bot.ops.logging import configure_logging

    configure_logging(os.environ.get("HELPBOT_LOG_LEVEL", "INFO"))
