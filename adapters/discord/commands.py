"""Slash commands: /ask, /help, and the admin group /helpbot. Docstrings and `describe` texts
are what Discord shows users."""

from __future__ import annotations

import discord
from discord import app_commands

from bot import strings
from bot.ops.admin import admin_command

from adapters.discord import handoff, respond
from adapters.discord.access import is_admin
from adapters.discord.render import CONTENT_MAX, Layout, fit, render


class HelpbotTree(app_commands.CommandTree):
    """The command tree; any failure in a command becomes a friendly ephemeral message."""

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        """Replicas sharing PostgreSQL on one shard: only the one that claims the interaction id runs it."""
        return await respond.first_claim(interaction)

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await respond.report_error(interaction, getattr(error, "original", error))


async def answer(interaction: discord.Interaction, text: str, private: bool) -> None:
    """Defer at once, run the pipeline, send the answer as the follow-up (a generated answer is
    previewed in the deferred response while it is written, then replaced by the answer)."""
    await respond.defer(interaction, ephemeral=private)
    client = interaction.client
    live = respond.preview(interaction)
    try:
        reply = await client.helpbot.handle(respond.interaction_message(interaction, text), live)
    finally:
        await live.close()
    interaction.extras[respond.AUDIT_ID] = reply.audit_id
    layout = render(reply, client.helpbot.service, private=private, extra=handoff.buttons(client, reply))
    await (respond.replace if live.shown else respond.send)(interaction, layout)


@app_commands.command(name="ask")
@app_commands.describe(question="Your question, in plain words", private="Show the answer to you only")
async def ask(interaction: discord.Interaction, question: str, private: bool = False) -> None:
    """Ask a question and get an answer with its sources."""
    await interaction.client.serving.run(answer(interaction, question, private))


@app_commands.command(name="help")
async def help_command(interaction: discord.Interaction) -> None:
    """What I can answer, and how to ask."""
    await interaction.client.serving.run(_help(interaction))


async def _help(interaction: discord.Interaction) -> None:
    await respond.defer(interaction, ephemeral=True)
    client = interaction.client
    reply = await client.helpbot.handle(respond.interaction_message(interaction, "help"))
    interaction.extras[respond.AUDIT_ID] = reply.audit_id
    reply.notes.append(strings.DISCORD_COMMANDS)
    await respond.send(interaction, render(reply, client.helpbot.service, private=True))


async def run_admin_command(interaction: discord.Interaction, command: str, args: list[str]) -> None:
    """An admin command: run and audited by bot/ops/admin.py; anyone but an admin gets a refusal."""
    await interaction.client.serving.run(_admin(interaction, command, args))


async def _admin(interaction: discord.Interaction, command: str, args: list[str]) -> None:
    client = interaction.client
    message = respond.interaction_message(interaction, respond.command_text(interaction))
    allowed = is_admin(interaction.user, client.settings)
    if allowed:
        await respond.defer(interaction, ephemeral=True)
    result = await admin_command(client.helpbot, message, command, args, allowed)
    interaction.extras[respond.AUDIT_ID] = result.audit_id
    await respond.send(interaction, Layout(content=fit(result.text, CONTENT_MAX), ephemeral=True))


admin = app_commands.Group(
    name="helpbot",
    description="helpbot administration (admins only)",
    default_permissions=discord.Permissions(manage_guild=True),
)


@admin.command(name="reload")
@app_commands.describe(dry_run="Only check the knowledge folder and show what would change")
async def admin_reload(interaction: discord.Interaction, dry_run: bool = False) -> None:
    """Reload the knowledge folder."""
    await run_admin_command(interaction, "reload", ["--dry-run"] if dry_run else [])


@admin.command(name="stats")
@app_commands.describe(days="How many days back to count (default 7)")
async def admin_stats(interaction: discord.Interaction, days: app_commands.Range[float, 0.01, 3650.0] | None = None) -> None:
    """Usage statistics from the audit log."""
    await run_admin_command(interaction, "stats", [] if days is None else ["--days", f"{days:g}"])


@admin.command(name="status")
async def admin_status(interaction: discord.Interaction) -> None:
    """Versions, knowledge snapshot and health."""
    await run_admin_command(interaction, "status", [])


@admin.command(name="policy")
@app_commands.describe(
    mode="Set the guard mode for a channel (default: show the policy)",
    channel="The channel to set (default: this one)",
)
@app_commands.choices(mode=[app_commands.Choice(name=m, value=m) for m in ("enforce", "monitor", "default")])
async def admin_policy(
    interaction: discord.Interaction,
    mode: app_commands.Choice[str] | None = None,
    channel: discord.abc.GuildChannel | None = None,
) -> None:
    """Show the guard policy, or set a channel's guard mode."""
    where = channel.id if channel is not None else interaction.channel_id
    await run_admin_command(interaction, "policy", [] if mode is None else [str(where), mode.value])


COMMANDS = (ask, help_command, admin)
