"""The Discord adapter (discord.py): slash commands, mentions and DMs, feedback buttons.

Start it with `helpbot serve discord`; see docs/discord.md for the application setup.
"""

from adapters.discord.client import Discord, HelpbotClient, ShardedHelpbotClient, create_client

__all__ = ["Discord", "HelpbotClient", "ShardedHelpbotClient", "create_client"]
