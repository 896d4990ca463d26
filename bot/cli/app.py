"""The click group, shared options, and turning errors into one clear line (never a traceback)."""

from __future__ import annotations

import functools
import logging
import os
import sys

import click

from bot import strings
from bot.errors import HelpbotError, KnowledgeError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(dir_okay=False), default=None, help="TOML config file.")
@click.version_option(package_name="helpbot")
@click.pass_context
def main(ctx: click.Context, config_path: str | None) -> None:
    """helpbot: cited answers about your service, from your own FAQ and docs."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    logging.basicConfig(level=os.environ.get("HELPBOT_LOG_LEVEL", "WARNING"), stream=sys.stderr)
    for noisy in ("sentence_transformers", "transformers", "httpx", "huggingface_hub"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    ctx.obj = {"config": config_path}


def settings_from(ctx: click.Context):
    from bot.config import load_settings

    return load_settings(ctx.find_root().obj.get("config"))


def friendly_errors(func):
    """Print HelpbotError as `error: ...` lines and exit 1; every listed knowledge problem is shown."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except KnowledgeError as exc:
            for line in exc.errors:
                click.echo(f"error: {line}", err=True)
            sys.exit(1)
        except HelpbotError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            sys.exit(130)

    return wrapper


def load_bot(ctx: click.Context, knowledge: str | None, progress: bool | None = False):
    """Build the HelpBot for a command. `progress`: True = report embedding progress on stderr (a bar on
    a terminal, a line per step elsewhere), None = only when stderr is a terminal, False = never."""
    from bot.core.pipeline import HelpBot

    settings = settings_from(ctx)
    tty = sys.stderr.isatty()
    if progress is None:
        progress = tty
    if not progress:
        return HelpBot(settings, knowledge)
    bar = None
    shown = [0]

    def report(done: int, total: int) -> None:
        nonlocal bar
        if not tty:  # a log or a pipe: a plain line about every 10%, and the last one
            if done >= total or done - shown[0] >= max(1, total // 10):
                shown[0] = done
                click.echo(strings.EMBEDDING_PROGRESS.format(done=done, total=total), err=True)
            return
        if bar is None:
            bar = click.progressbar(length=total, label="Embedding", file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)
        if done >= total:
            bar.__exit__(None, None, None)

    return HelpBot(settings, knowledge, progress=report)


knowledge_option = click.option(
    "--knowledge", "-k", type=click.Path(file_okay=False), default=None, help="Knowledge folder (default: ./knowledge, else the bundled sample)."
)
