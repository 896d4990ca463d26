"""`helpbot serve <platform>`: run the bot on a chat platform. Adapters add their subcommand here."""

from __future__ import annotations

import asyncio
import os

import click

from bot.cli.app import friendly_errors, knowledge_option, load_bot, main, settings_from


@main.group()
def serve():
    """Run helpbot on a chat platform. Logs go to stderr as JSON lines (HELPBOT_LOG_LEVEL, default INFO)."""
    from bot.ops.logging import configure_logging

    configure_logging(os.environ.get("HELPBOT_LOG_LEVEL", "INFO"))


@serve.command()
@knowledge_option
@click.option(
    "--http", "http_port", type=click.IntRange(0, 65535), default=None, metavar="PORT",
    help="Use the Events API over HTTP on PORT (path /slack/events) instead of Socket Mode.",
)
@click.option("--host", default="0.0.0.0", show_default=True, help="Interface to listen on with --http.")
@click.pass_context
@friendly_errors
def slack(ctx, knowledge, http_port, host):
    """Serve Slack. Socket Mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN; --http PORT needs
    SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET. See docs/slack.md."""
    from adapters.slack.run import serve as serve_slack

    settings = settings_from(ctx)
    asyncio.run(serve_slack(lambda: load_bot(ctx, knowledge), settings, http_port, host, say=lambda m: click.echo(m, err=True)))
