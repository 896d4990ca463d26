"""Running the adapter: Socket Mode (default) or the Events API over HTTP at /slack/events."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Callable

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import SlackAdapter
from adapters.slack.front import FrontDoor
from adapters.slack.connect import (
    BAD_TOKEN_ERRORS,
    NETWORK_ERRORS,
    Identity,
    Tokens,
    api_url,
    close_client,
    make_client,
    read_tokens,
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
        error = exc.response.get("error", "unknown_error")
        if error in BAD_TOKEN_ERRORS:
            raise HelpbotError(
                f"SLACK_APP_TOKEN was rejected by Slack ({error}): create a new App-Level Token with the "
                "connections:write scope on your app's Basic Information page"
            ) from None
        raise HelpbotError(f"Socket Mode is not available ({error}): enable Socket Mode in your app's settings") from None
    except NETWORK_ERRORS as exc:
        raise unreachable(adapter.client, exc) from None
    handler = AsyncSocketModeHandler(adapter.app, app_token)
    await handler.connect_async()
    return handler


async def serve(
    make_bot: Callable[[], object],
    settings: Settings,
    http_port: int | None,
    host: str,
    say: Callable[[str], object] = print,
    stop: asyncio.Event | None = None,
) -> None:
    """Check tokens, load the bot, start the ops server, serve Slack until SIGINT/SIGTERM (or
    `stop` is set), then finish in-flight answers."""
    from bot.ops.server import bound_port, start_ops_server

    tokens = read_tokens(http=http_port is not None)
    client, identity = await connect(settings, tokens)  # before the slow model load: fail fast
    async with contextlib.AsyncExitStack() as cleanup:  # runs last-in, first-out
        cleanup.push_async_callback(close_client, client)
        bot = await asyncio.to_thread(make_bot)
        try:
            ops = await start_ops_server(bot)
        except OSError as exc:
            raise HelpbotError(f"cannot start the ops server ({exc.strerror}): set HELPBOT_OPS_PORT to a free port (0 = any)") from None
        cleanup.push_async_callback(ops.cleanup)
        say(f"helpbot: ops server on http://{settings.ops['host']}:{bound_port(ops)} (/healthz, /readyz, /metrics)")
        adapter = SlackAdapter(bot, settings, client, identity, signing_secret=tokens.signing_secret)
        cleanup.push_async_callback(adapter.drain)  # after events stop coming: finish the answers in flight
        if stop is None:
            stop = asyncio.Event()
            for sig in (signal.SIGINT, signal.SIGTERM):
                asyncio.get_running_loop().add_signal_handler(sig, stop.set)
        where = f"workspace {identity.team or identity.team_id} as <@{identity.user_id}>"
        if http_port is not None:
            runner, port = await serve_http(adapter, host, http_port)
            cleanup.push_async_callback(runner.cleanup)
            say(f"helpbot: serving Slack {where}, Events API on http://{host}:{port}{EVENTS_PATH}")
        else:
            handler = await connect_socket(adapter, tokens.app)
            cleanup.push_async_callback(handler.close_async)
            say(f"helpbot: serving Slack {where} over Socket Mode")
        await stop.wait()
        say("helpbot: stopping")
