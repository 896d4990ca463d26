"""The Discord adapter (discord.py): slash commands, mentions and DMs, feedback buttons.

Start it with `helpbot serve discord`; see docs/discord.md for the application setup.
"""

from adapters.discord.client import HelpbotClient, ShardedHelpbotClient, create_client, require_token, run_discord

__all__ = ["HelpbotClient", "ShardedHelpbotClient", "create_client", "require_token", "run_discord"]
