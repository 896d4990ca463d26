"""helpbot: a logic-first help bot for Slack and Discord."""

__version__ = "0.1.0"
