"""Start-up: token errors, command sync (guild or global), intents, sharding, the CLI entry."""

from __future__ import annotations

import logging

import discord
import pytest
from click.testing import CliRunner
from discord_support import discord_settings
from fake_discord import ALICE, APP_ID, GUILD_ID, TOKEN, FakeDiscord

from adapters.discord import ShardedHelpbotClient, create_client, run_discord
from bot.cli import main
from bot.errors import ConfigError, HelpbotError

QUESTION = "How do I invite someone to my workspace?"


async def test_without_a_guild_commands_sync_globally_and_the_delay_is_logged(helpbot, start_bot, caplog):
    caplog.set_level(logging.INFO, logger="adapters.discord")
    async with start_bot(helpbot, guild_id=None) as (fake, client):
        assert fake.find("PUT", rf"/applications/{APP_ID}/commands")
        assert not fake.find("PUT", r"/applications/\d+/guilds/\d+/commands")
    assert any("up to an hour" in r.getMessage() for r in caplog.records)


async def test_guild_from_settings_syncs_there(helpbot, start_bot):
    async with start_bot(helpbot, guild_id=None, guild=GUILD_ID) as (fake, client):
        assert fake.find("PUT", rf"/applications/{APP_ID}/guilds/{GUILD_ID}/commands")


async def test_gateway_connection_uses_json_and_no_privileged_intents(helpbot, start_bot):
    async with start_bot(helpbot) as (fake, client):
        query, identify = fake.gateway_queries[0], fake.identifies[0]
    assert query["encoding"] == "json"
    intents = discord.Intents._from_value(identify["intents"])
    assert intents.guilds and intents.guild_messages and intents.dm_messages
    assert not (intents.message_content or intents.members or intents.presences)


async def test_without_mention_mode_only_the_guilds_intent_is_requested(helpbot, start_bot):
    async with start_bot(helpbot, mentions=False) as (fake, client):
        assert discord.Intents._from_value(fake.identifies[0]["intents"]) == discord.Intents(guilds=True)


async def test_automatic_sharding_asks_discord_for_the_shard_count(helpbot, start_bot):
    async with start_bot(helpbot, shards=-1) as (fake, client):
        assert isinstance(client, ShardedHelpbotClient)
        assert fake.find("GET", "/gateway/bot")
        assert fake.identifies[0]["shard"] == [0, 1]
        ask = fake.slash("ask", {"question": QUESTION}, author=ALICE)
        await fake.dispatch("INTERACTION_CREATE", ask)
        assert (await fake.callback_for(ask)).json == {"type": 5}
        assert (await fake.followup_for(ask)).json["embeds"]


def test_shard_settings(helpbot):
    fixed = create_client(helpbot, discord_settings(shards=3))
    assert isinstance(fixed, ShardedHelpbotClient) and fixed.shard_count == 3
    with pytest.raises(ConfigError, match="shards"):
        create_client(helpbot, discord_settings(shards=-5))
    with pytest.raises(ConfigError, match="reply_in"):
        create_client(helpbot, discord_settings(reply_in="dm"))


async def test_invalid_token_is_a_clear_error(helpbot, monkeypatch):
    fake = await FakeDiscord().start()
    fake.patch(monkeypatch)
    try:
        with pytest.raises(HelpbotError, match=r"^DISCORD_BOT_TOKEN is invalid: "):
            await run_discord(helpbot, discord_settings(), "not-the-right-token")
    finally:
        await fake.close()


async def test_sync_refused_in_the_guild_is_a_clear_error(helpbot, monkeypatch):
    fake = await FakeDiscord(forbidden_guilds=(GUILD_ID,)).start()
    fake.patch(monkeypatch)
    try:
        with pytest.raises(HelpbotError, match=rf"cannot register slash commands in guild {GUILD_ID}.*applications\.commands"):
            await run_discord(helpbot, discord_settings(), TOKEN, GUILD_ID)
    finally:
        await fake.close()


def test_cli_without_token_fails_before_loading_anything():
    result = CliRunner().invoke(main, ["serve", "discord", "--guild", "123"])
    assert result.exit_code == 1
    assert "DISCORD_BOT_TOKEN is not set" in result.output
    assert "Traceback" not in result.output


def test_invite_url_has_both_scopes_and_the_documented_permissions():
    from adapters.discord.client import invite_url

    url = invite_url(APP_ID)
    assert url == (
        f"https://discord.com/oauth2/authorize?client_id={APP_ID}"
        "&scope=bot+applications.commands&permissions=309237729280"
    )
    perms = discord.Permissions(309237729280)
    assert perms.send_messages and perms.send_messages_in_threads and perms.create_public_threads
    assert perms.embed_links and perms.read_message_history
