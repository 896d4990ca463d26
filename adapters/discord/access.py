"""Who may run admin commands: configured user ids, or members holding a configured role."""

from __future__ import annotations

import discord


def _ids(values) -> set[str]:
    """Configured ids as strings; "discord:123" (a platform-prefixed id) counts as "123"."""
    out = set()
    for value in values or ():
        text = str(value).strip()
        out.add(text.removeprefix("discord:"))
    return out


def is_admin(user: discord.abc.User, settings) -> bool:
    """True for ids in [discord] admin_users or [admin] users, and for members with a role
    (by id or name) in [discord] admin_roles. Checked on every admin command, whatever
    permissions Discord shows the command with."""
    if str(user.id) in _ids(settings.discord["admin_users"]) | _ids(settings.admin["users"]):
        return True
    wanted = _ids(settings.discord["admin_roles"])
    roles = getattr(user, "roles", None) or ()  # a Member in a guild; a plain User in DMs has none
    return any(str(role.id) in wanted or role.name in wanted for role in roles)
