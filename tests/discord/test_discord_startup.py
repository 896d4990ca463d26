"""Start-up: token errors, command sync (guild or global), intents, sharding, the CLI entry."""

from __future__ import annotations

import asyncio
import logging

import discord
import pytest
from click.testing import CliRunner
from discord_support import discord_settings
from fake_discord import ALICE, APP_ID, GUILD_ID, TOKEN, FakeDiscord

from adapters.discord import Discord, ShardedHelpbotClient, create_client
from adapters.serve import serve
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


async def serve_discord(helpbot, monkeypatch, token: str, guild: int | None = None) -> None:
    """The shared serve with the Discord adapter, stopped at once if it ever gets going."""
    monkeypatch.setenv("DISCORD_BOT_TOKEN", token)
    adapter = Discord(discord_settings(), guild=guild, guild_ready_timeout=0.01)
    await asyncio.wait_for(serve(adapter, lambda: helpbot, lambda _: None, asyncio.Event(), ops=False), 30)


async def test_invalid_token_is_a_clear_error(helpbot, monkeypatch):
    fake = await FakeDiscord().start()
    fake.patch(monkeypatch)
    try:
        with pytest.raises(HelpbotError, match=r"^DISCORD_BOT_TOKEN is invalid: "):
            await serve_discord(helpbot, monkeypatch, "not-the-right-token")
    finally:
        await fake.close()


async def test_sync_refused_in_the_guild_is_a_clear_error(helpbot, monkeypatch):
    fake = await FakeDiscord(forbidden_guilds=(GUILD_ID,)).start()
    fake.patch(monkeypatch)
    try:
        with pytest.raises(HelpbotError, match=rf"cannot register slash commands in guild {GUILD_ID}.*applications\.commands"):
            await serve_discord(helpbot, monkeypatch, TOKEN, GUILD_ID)
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
        "&scope=bot+applications.commands&permissions=309237729344"
    )
    perms = discord.Permissions(309237729344)
    assert perms.send_messages and perms.send_messages_in_threads and perms.create_public_threads
    assert perms.embed_links and perms.read_message_history and perms.add_reactions


async def test_the_shared_serve_runs_discord_and_a_stop_lets_answers_in_flight_finish(helpbot, monkeypatch):
    fake = await FakeDiscord().start()
    fake.patch(monkeypatch)
    monkeypatch.setenv("DISCORD_BOT_TOKEN", TOKEN)
    monkeypatch.setitem(helpbot.settings.ops, "port", 0)
    real, gate, entered = helpbot.handle, asyncio.Event(), []

    async def handle(message, progress=None):
        entered.append(message.text)
        await gate.wait()
        return await real(message, progress)

    monkeypatch.setattr(helpbot, "handle", handle)
    said, stop = [], asyncio.Event()
    adapter = Discord(discord_settings(), guild=GUILD_ID, guild_ready_timeout=0.01)
    task = asyncio.create_task(serve(adapter, lambda: helpbot, said.append, stop))
    try:
        while not any(line.startswith("helpbot: serving Discord as ") for line in said):
            assert not task.done(), task.result()
            await asyncio.sleep(0.05)
        assert any(line.startswith("helpbot: ops server on http://") for line in said)
        ask = fake.slash("ask", {"question": QUESTION}, author=ALICE)
        await fake.dispatch("INTERACTION_CREATE", ask)
        while not entered:
            await asyncio.sleep(0.01)
        stop.set()
        await asyncio.sleep(0.3)
        assert not task.done(), "the stop waits for the answer in flight"
        gate.set()
        assert (await fake.followup_for(ask)).json["embeds"]
        await asyncio.wait_for(task, 30)
        assert said[-1] == "helpbot: stopping"
    finally:
        gate.set()
        stop.set()
        await asyncio.wait({task}, timeout=10)
        await fake.close()
