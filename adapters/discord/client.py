"""The Discord platform (`adapters.base.Adapter`) and its client: slash commands, mentions and DMs,
feedback buttons; sharded on request. `adapters/serve.py` runs it."""

from __future__ import annotations

import asyncio
import logging

import click
import discord

from adapters.base import Adapter, Secret, Serving
from bot.core.events import EventClaims
from bot.errors import ConfigError, HelpbotError
from bot.handoff import HandoffDesk
from bot.handoff.learn import LearnedFaq

from adapters.discord import handoff, learn, respond
from adapters.discord.channels import needs_message_content
from adapters.discord.commands import COMMANDS, HelpbotTree
from adapters.discord.feedback import FeedbackButton
from adapters.discord.mentions import answer_message
from adapters.discord.render import NO_MENTIONS

log = logging.getLogger(__name__)

REPLY_MODES = ("reply", "thread")
PERMISSIONS = discord.Permissions(
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    embed_links=True,
    read_message_history=True,
    add_reactions=True,  # [discord] quiet_reaction
)
SCOPES = ("bot", "applications.commands")
# discord.py waits out 429s itself; one that asks for longer fails at once (discord.RateLimited)
MAX_RATE_LIMIT_WAIT_S = 30.0


def invite_url(application_id: int) -> str:
    """The link that adds the bot to a server with the scopes and permissions it needs."""
    return discord.utils.oauth_url(application_id, permissions=PERMISSIONS, scopes=SCOPES)


def intents_for(settings) -> discord.Intents:
    """Guilds always; guild and DM messages in mention mode and for the channels the bot reads
    without a mention. Message Content (privileged) only for those: Discord includes the text of
    messages that mention the bot, and of DMs, without it."""
    intents = discord.Intents.none()
    intents.guilds = True
    reads = needs_message_content(settings)
    if settings.discord["mentions"] or reads:
        intents.guild_messages = True
        intents.dm_messages = settings.discord["mentions"]
    intents.message_content = bool(reads)
    return intents


class _HelpbotDiscord:
    """What the plain and the sharded client share. `helpbot` is the core (bot.pipeline.HelpBot)."""

    def __init__(self, helpbot, settings, *, guild_id: int | None = None, serving: Serving | None = None, **options):
        if settings.discord["reply_in"] not in REPLY_MODES:
            raise ConfigError(f"[discord] reply_in must be one of {', '.join(REPLY_MODES)}")
        options.setdefault("max_ratelimit_timeout", MAX_RATE_LIMIT_WAIT_S)
        super().__init__(intents=intents_for(settings), allowed_mentions=NO_MENTIONS, **options)
        self.helpbot = helpbot
        self.settings = settings
        self.serving = serving or Serving()  # the answers in flight, which a stop waits for
        self.guild_id = int(guild_id or settings.discord["guild"] or 0)
        # replicas sharing PostgreSQL claim each interaction and message
        self.claims = EventClaims(helpbot.audit.store, helpbot.metrics, "discord")
        self.desk = HandoffDesk(helpbot)  # "Ask a person" records (bot.handoff)
        self.faq = LearnedFaq(helpbot)  # "Save as FAQ" writes faq/learned.yaml (bot.knowledge.learn)
        self.tree = HelpbotTree(self)
        for command in (*COMMANDS, learn.save_as_faq):
            self.tree.add_command(command)

    async def setup_hook(self) -> None:
        # buttons work on messages sent before a restart: their custom_id carries what they need
        self.add_dynamic_items(FeedbackButton, handoff.AskPersonButton, learn.SaveFaqButton)
        try:
            if self.guild_id:
                guild = discord.Object(id=self.guild_id)
                self.tree.copy_global_to(guild=guild)
                synced = await self.tree.sync(guild=guild)
                log.info("synced %d slash commands to guild %s", len(synced), self.guild_id)
            else:
                synced = await self.tree.sync()
                log.warning(
                    "synced %d slash commands globally: new or changed commands can take up to an hour "
                    "to appear (use --guild ID to sync to a development server at once)",
                    len(synced),
                )
        except discord.Forbidden as exc:
            where = f"guild {self.guild_id}" if self.guild_id else "Discord"
            raise HelpbotError(
                f"cannot register slash commands in {where} ({exc.text or exc}): invite the bot with the "
                "bot and applications.commands scopes (see docs/discord.md)"
            ) from None

    async def on_ready(self) -> None:
        log.info("connected to Discord as %s in %d servers", self.user, len(self.guilds))
        log.info("invite link: %s", invite_url(self.application_id))
        handoff.check_channel(self)

    async def on_message(self, message: discord.Message) -> None:
        await self.serving.run(answer_message(self, message))
        await handoff.watch_thread(self, message)

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        """Modal submissions are handled here, from their data alone (they survive a restart)."""
        if interaction.type == discord.InteractionType.modal_submit:
            await learn.on_modal_submit(self, interaction)

    async def report_error(self, interaction: discord.Interaction, error: BaseException) -> None:
        await respond.report_error(interaction, error)


class HelpbotClient(_HelpbotDiscord, discord.Client):
    """One gateway connection (no sharding)."""


class ShardedHelpbotClient(_HelpbotDiscord, discord.AutoShardedClient):
    """Automatic sharding: Discord's recommended shard count, or `shard_count`."""


def create_client(helpbot, settings, guild_id: int | None = None, serving: Serving | None = None, **options) -> discord.Client:
    """The client for [discord] shards: 0 = no sharding, -1 = automatic, N = N shards."""
    shards = settings.discord["shards"]
    if shards == 0:
        return HelpbotClient(helpbot, settings, guild_id=guild_id, serving=serving, **options)
    if shards == -1:
        return ShardedHelpbotClient(helpbot, settings, guild_id=guild_id, serving=serving, **options)
    if shards > 0:
        return ShardedHelpbotClient(helpbot, settings, guild_id=guild_id, serving=serving, shard_count=shards, **options)
    raise ConfigError(f"[discord] shards must be 0 (off), -1 (automatic) or a shard count, not {shards}")


TOKEN = Secret("DISCORD_BOT_TOKEN", "copy the bot token from the Discord developer portal "
                "(Bot → Reset Token) and export it (see docs/discord.md)")


class Discord(Adapter):
    """`helpbot serve discord`: the gateway client, sharded as [discord] shards says."""

    name = "discord"
    help = "Answer on Discord: slash commands, mentions and DMs. Needs DISCORD_BOT_TOKEN."
    options = (click.Option(["--guild"], type=int, default=None,
                            help="Development server (guild) id: register slash commands there at once."),)

    def __init__(self, settings, guild: int | None = None, **options):
        self.settings, self.guild_id, self.options = settings, guild, options  # options: for discord.Client

    def secrets(self) -> list[Secret]:
        return [TOKEN]

    async def run(self, helpbot, serving: Serving) -> None:
        logging.getLogger("adapters.discord").setLevel(logging.INFO)
        client = create_client(helpbot, self.settings, self.guild_id, serving=serving, **self.options)
        async with client:
            running = asyncio.create_task(self._start(client, serving.secrets[TOKEN.name]))
            ready = asyncio.create_task(client.wait_until_ready())
            stopped = asyncio.create_task(serving.stopped())
            try:
                done, _ = await asyncio.wait({running, ready, stopped}, return_when=asyncio.FIRST_COMPLETED)
                if ready in done and running not in done:
                    serving.say(f"helpbot: serving Discord as {client.user} in {len(client.guilds)} servers")
                    done, _ = await asyncio.wait({running, stopped}, return_when=asyncio.FIRST_COMPLETED)
                if running in done:
                    running.result()  # a start-up error, or the connection ended for good
                await serving.drain()  # the gateway is still up: answers in flight can be sent
            finally:
                for task in (running, ready, stopped):
                    task.cancel()

    @staticmethod
    async def _start(client: discord.Client, token: str) -> None:
        try:
            await client.start(token)
        except discord.LoginFailure as exc:
            raise HelpbotError(f"DISCORD_BOT_TOKEN is invalid: {exc}") from None
        except discord.PrivilegedIntentsRequired:
            raise HelpbotError(message_content_refused(client.settings)) from None


def message_content_refused(settings) -> str:
    """What to do when Discord refuses the Message Content intent (gateway close 4014)."""
    return (f"Discord refused the Message Content intent, which {', '.join(needs_message_content(settings))} "
            "need(s) to read messages that do not mention the bot: turn on Message Content Intent in the "
            "developer portal (Bot -> Privileged Gateway Intents), or remove those settings (see docs/discord.md)")
