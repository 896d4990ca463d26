"""`helpbot serve discord`: run helpbot as a Discord bot."""

from __future__ import annotations

import asyncio
import logging

import click

from bot.cli.app import friendly_errors, knowledge_option, load_bot, main, settings_from

try:  # the `serve` group belongs to the Slack adapter's module when it is there
    from bot.cli.serve_commands import serve
except ImportError:

    @main.group()
    def serve():
        """Run helpbot on a chat platform."""


@serve.command("discord")
@knowledge_option
@click.option("--guild", type=int, default=None, help="Development server (guild) id: register slash commands there at once.")
@click.pass_context
@friendly_errors
def serve_discord(ctx, knowledge, guild):
    """Answer on Discord: slash commands, mentions and DMs. Needs DISCORD_BOT_TOKEN."""
    from adapters.discord import require_token, run_discord

    settings = settings_from(ctx)
    token = require_token(settings.secret("DISCORD_BOT_TOKEN"))  # fail before the model loads
    bot = load_bot(ctx, knowledge)
    logging.getLogger("adapters.discord").setLevel(logging.INFO)
    asyncio.run(run_discord(bot, settings, token, guild))
