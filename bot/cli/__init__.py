"""The `helpbot` command. Each command group lives in its own module and registers itself here.

In: command-line arguments and settings. Out: a built bot driven by one command, text or JSON.
"""

from bot.cli.app import main
from bot.cli import core_commands  # noqa: F401  (registers ask, chat, index, eval, config)
from bot.cli import ops_commands  # noqa: F401  (registers reload, stats, report, purge, export)
from bot.cli import serve_commands  # noqa: F401  (registers serve <platform>, from adapters/registry.py)
from bot.cli import llm_commands  # noqa: F401  (registers doctor)
from bot.cli import router_commands  # noqa: F401  (registers calibrate)

__all__ = ["main"]
