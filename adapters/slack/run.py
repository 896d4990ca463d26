"""The Slack platform (`adapters.base.Adapter`): Socket Mode (default) or the Events API over HTTP
at /slack/events. `adapters/serve.py` runs it."""

from __future__ import annotations

import asyncio
import contextlib
import logging

import aiohttp
import click
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.base import Adapter, Secret, Serving
from adapters.slack.app import SlackAdapter
from adapters.slack.front import FrontDoor
from adapters.slack.connect import (
    NETWORK_ERRORS,
    Identity,
    Tokens,
    api_url,
    close_client,
    make_client,
    token_problem,
    token_secrets,
    unreachable,
    verify,
)
from bot.config import Settings
from bot.errors import HelpbotError

log = logging.getLogger("helpbot.slack")
EVENTS_PATH = "/slack/events"  # Bolt's default path


async def connect(settings: Settings, tokens: Tokens) -> tuple[AsyncWebClient, Identity]:
    """The Web API client (one kept-alive HTTP session; `close_client` closes it), with the
    bot token checked by auth.test."""
    client = make_client(tokens.bot, api_url(settings), session=aiohttp.ClientSession())
    try:
        return client, await verify(client)
    except BaseException:
        await close_client(client)
        raise


async def serve_http(adapter: SlackAdapter, host: str, port: int) -> tuple[web.AppRunner, int]:
    """Listen for signed Events API / interactivity / command requests; returns (runner, port).
    Each request passes the front door (signature, timestamp, size, shape) before Bolt sees it."""
    if not adapter.signing_secret:
        raise HelpbotError("SLACK_SIGNING_SECRET is not set: copy the Signing Secret from your app's Basic Information page")
    door = FrontDoor(adapter.app, adapter.signing_secret, adapter.bot.metrics)
    web_app = web.Application(client_max_size=door.max_body)
    web_app.router.add_post(EVENTS_PATH, door.handle)
    if adapter.oauth:
        from adapters.slack.oauth import INSTALL_PATH, REDIRECT_PATH, oauth_handler

        handle = oauth_handler(adapter.app)
        web_app.router.add_get(INSTALL_PATH, handle)
        web_app.router.add_get(REDIRECT_PATH, handle)

    async def healthz(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    web_app.router.add_get("/healthz", healthz)
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        raise HelpbotError(f"cannot listen on {host}:{port} ({exc.strerror}): choose another --http PORT") from None
    return runner, runner.addresses[0][1]


async def connect_socket(adapter: SlackAdapter, app_token: str) -> AsyncSocketModeHandler:
    """Check the app-level token (the Socket Mode client would only retry forever), then connect."""
    try:
        await adapter.client.apps_connections_open(app_token=app_token)
    except SlackApiError as exc:
        raise token_problem(exc, "SLACK_APP_TOKEN", "create a new App-Level Token with the connections:write scope "
                            "on your app's Basic Information page",
                            "Socket Mode is not available ({error}): enable Socket Mode in your app's settings") from None
    except NETWORK_ERRORS as exc:
        raise unreachable(adapter.client, exc) from None
    handler = AsyncSocketModeHandler(adapter.app, app_token)
    await handler.connect_async()
    return handler


class Slack(Adapter):
    """`helpbot serve slack`: Socket Mode (SLACK_APP_TOKEN), or the Events API with `http_port`."""

    name = "slack"
    help = ("Serve Slack. Socket Mode needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN; --http PORT needs "
            "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, or, to be installed in many workspaces, SLACK_CLIENT_ID, "
            "SLACK_CLIENT_SECRET, SLACK_STATE_SECRET and SLACK_SIGNING_SECRET. See docs/slack.md.")
    options = (
        click.Option(["--http", "http_port"], type=click.IntRange(0, 65535), default=None, metavar="PORT",
                     help="Use the Events API over HTTP on PORT (path /slack/events) instead of Socket Mode."),
        click.Option(["--host"], default="0.0.0.0", show_default=True, help="Interface to listen on with --http."),
    )

    def __init__(self, settings: Settings, http_port: int | None = None, host: str = "0.0.0.0"):
        self.settings, self.http_port, self.host = settings, http_port, host
        # OAuth distribution (many workspaces) when the app's client id is set
        self.oauth = bool(Settings.secret("SLACK_CLIENT_ID"))
        if self.oauth and http_port is None:
            raise HelpbotError("SLACK_CLIENT_ID is set (installs in many workspaces through OAuth), which needs the "
                               "Events API: add --http PORT, or unset SLACK_CLIENT_ID for Socket Mode with SLACK_BOT_TOKEN")

    def secrets(self) -> list[Secret]:
        if self.oauth:
            from adapters.slack.oauth import oauth_secrets

            return oauth_secrets()
        return token_secrets(http=self.http_port is not None)

    async def preflight(self, secrets: dict[str, str]) -> None:
        if self.oauth:
            api_url(self.settings)  # each workspace's token is checked when it installs
            return
        client, _ = await connect(self.settings, Tokens(bot=secrets["SLACK_BOT_TOKEN"]))  # before the model load
        await close_client(client)

    async def run(self, bot, serving: Serving) -> None:
        if self.oauth:
            await self._run_oauth(bot, serving)
            return
        tokens = Tokens(bot=serving.secrets["SLACK_BOT_TOKEN"], app=serving.secrets.get("SLACK_APP_TOKEN"),
                        signing_secret=serving.secrets.get("SLACK_SIGNING_SECRET"))
        client, identity = await connect(self.settings, tokens)
        async with contextlib.AsyncExitStack() as cleanup:  # runs last-in, first-out
            cleanup.push_async_callback(close_client, client)
            adapter = SlackAdapter(bot, self.settings, client, identity, signing_secret=tokens.signing_secret, serving=serving)
            cleanup.push_async_callback(serving.drain)  # after events stop coming: finish the answers in flight
            _take_over_in_background(adapter, cleanup)
            where = f"workspace {identity.team or identity.team_id} as <@{identity.user_id}>"
            if self.http_port is not None:
                runner, port = await serve_http(adapter, self.host, self.http_port)
                cleanup.push_async_callback(runner.cleanup)
                serving.say(f"helpbot: serving Slack {where}, Events API on http://{self.host}:{port}{EVENTS_PATH}")
            else:
                handler = await connect_socket(adapter, tokens.app)
                cleanup.push_async_callback(handler.close_async)
                serving.say(f"helpbot: serving Slack {where} over Socket Mode")
            await serving.stopped()

    async def _run_oauth(self, bot, serving: Serving) -> None:
        """Many workspaces: Bolt's install pages, installations in the store, a token per workspace."""
        from adapters.slack.oauth import INSTALL_PATH, installations, oauth_settings

        client = make_client(None, api_url(self.settings), session=aiohttp.ClientSession())
        async with contextlib.AsyncExitStack() as cleanup:
            cleanup.push_async_callback(close_client, client)
            oauth = oauth_settings(bot.audit.store, serving.secrets)
            adapter = SlackAdapter(bot, self.settings, client, Identity("", "", ""),
                                   signing_secret=serving.secrets["SLACK_SIGNING_SECRET"], serving=serving, oauth=oauth)
            cleanup.push_async_callback(serving.drain)
            _take_over_in_background(adapter, cleanup)
            runner, port = await serve_http(adapter, self.host, self.http_port)
            cleanup.push_async_callback(runner.cleanup)
            count = await asyncio.to_thread(installations, bot.audit.store)
            serving.say(f"helpbot: serving Slack in {count} installed workspace(s), Events API on "
                        f"http://{self.host}:{port}{EVENTS_PATH}; install at http://{self.host}:{port}{INSTALL_PATH}")
            await serving.stopped()


def _take_over_in_background(adapter: SlackAdapter, cleanup: contextlib.AsyncExitStack) -> None:
    """Replicas sharing PostgreSQL answer what a dead replica acknowledged but never answered."""
    if adapter.claims.shared:
        task = asyncio.create_task(adapter.take_over())
        cleanup.callback(task.cancel)
