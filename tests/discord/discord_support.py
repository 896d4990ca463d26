"""Helpers shared by the Discord tests and the benchmark: an isolated environment, a HelpBot,
and client settings with admins configured."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import fake_discord
from bot.config import load_settings

SECRETS = ("DISCORD_BOT_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET")


def isolate(mp: pytest.MonkeyPatch, home: Path) -> None:
    """No HELPBOT_* settings or tokens from the outside; data under `home`."""
    for name in list(os.environ):
        if name.startswith("HELPBOT_") or name in SECRETS:
            mp.delenv(name)
    mp.setenv("HELPBOT_HOME", str(home))
    mp.setenv("HF_HUB_OFFLINE", "1")


def make_helpbot(home: Path, knowledge: Path | None = None):
    from bot.core.pipeline import HelpBot

    with pytest.MonkeyPatch.context() as mp:
        isolate(mp, home)
        return HelpBot(load_settings(None), knowledge)


def discord_settings(handoff: dict | None = None, **discord):
    """Settings for the client: ADMIN and ADMIN_ROLE_ID are admins; any [discord] overrides, and
    [handoff] ones in `handoff`."""
    settings = load_settings(None, env={})
    settings.discord.update(admin_users=[fake_discord.ADMIN["id"]], admin_roles=[str(fake_discord.ADMIN_ROLE_ID)])
    settings.discord.update(discord)
    settings.handoff.update(handoff or {})
    return settings
