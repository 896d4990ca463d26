"""Who may run admin commands: configured user ids, or members holding a configured role."""

from __future__ import annotations

import discord

from bot.ops.admin import listed_admin


def is_admin(user: discord.abc.User, settings) -> bool:
    """True for ids in [discord] admin_users or [admin] users ("discord:123" counts as "123"), and
    for members with a role (by id or name) in [discord] admin_roles. Checked on every admin
    command, whatever permissions Discord shows the command with."""
    if listed_admin(str(user.id), "discord", settings.discord["admin_users"], settings.admin["users"]):
        return True
    roles = getattr(user, "roles", None) or ()  # a Member in a guild; a plain User in DMs has none
    return any(listed_admin(str(role.id), "discord", settings.discord["admin_roles"])
               or listed_admin(role.name, "discord", settings.discord["admin_roles"]) for role in roles)
