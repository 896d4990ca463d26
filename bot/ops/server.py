"""The local ops HTTP server started by the serve commands: health, readiness, metrics, admin reload.

    GET  /healthz       200 while the process runs (liveness)
    GET  /readyz        200 when knowledge and model are loaded, else 503 with the reasons
    GET  /metrics       Prometheus text format
    POST /admin/reload  `Authorization: Bearer $HELPBOT_ADMIN_TOKEN`; JSON body {"dry_run": bool}

`start_ops_server(bot)` also reloads on SIGHUP and, with `[ops] watch = true`, when a knowledge
file changes; with a shared store (PostgreSQL) it follows reloads run on other replicas (bot/ops/sync.py). `await runner.cleanup()` stops all of it.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import signal
import time

from aiohttp import web

from bot import strings
from bot.errors import HelpbotError
from bot.ops.reload import reload_knowledge

log = logging.getLogger("helpbot.ops.server")
BOT = web.AppKey("bot", object)
STARTED = web.AppKey("started", float)


def readiness(bot) -> list[str]:
    """Reasons the bot cannot answer yet; empty when ready."""
    reasons = []
    snap = getattr(bot, "snapshot", None)
    if snap is None or not snap.kb.chunks:
        reasons.append("knowledge not loaded")
    elif len(snap.index.rows) == 0:
        reasons.append("search index is empty")
    embedder = getattr(bot, "embedder", None)
    if embedder is None or getattr(embedder, "identity", None) is None:
        reasons.append("embedding model not loaded")
    return reasons


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok", "uptime_s": round(time.monotonic() - request.app[STARTED], 1)})


async def readyz(request: web.Request) -> web.Response:
    reasons = readiness(request.app[BOT])
    if reasons:
        return web.json_response({"status": "not ready", "reasons": reasons}, status=503)
    bot = request.app[BOT]
    snap = bot.snapshot
    body = {"status": "ready", "kb": snap.kb.fingerprint, "chunks": len(snap.kb.chunks)}
    if getattr(bot, "sync", None) is not None:  # replicas: does this one serve what was last reloaded?
        body["knowledge"] = bot.sync.status()
    return web.json_response(body)


async def metrics_view(request: web.Request) -> web.Response:
    body = request.app[BOT].metrics.render()
    return web.Response(text=body, content_type="text/plain", charset="utf-8", headers={"X-Content-Type-Options": "nosniff"})


def _authorized(request: web.Request) -> web.Response | None:
    """None when the bearer token matches HELPBOT_ADMIN_TOKEN, else the error response."""
    from bot.config import Settings

    token = Settings.secret("HELPBOT_ADMIN_TOKEN")
    if not token:
        return web.json_response({"ok": False, "error": strings.ADMIN_TOKEN_MISSING}, status=403)
    given = request.headers.get("Authorization", "")
    scheme, _, value = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), token.encode()):
        log.warning("admin endpoint: bad token", extra={"event": "admin_denied", "peer": request.remote})
        return web.json_response({"ok": False, "error": "invalid admin token"}, status=401)
    return None


async def admin_reload(request: web.Request) -> web.Response:
    denied = _authorized(request)
    if denied is not None:
        return denied
    try:
        body = await request.json() if request.can_read_body else {}
    except ValueError:
        return web.json_response({"ok": False, "error": "body must be JSON"}, status=400)
    body = body if isinstance(body, dict) else {}
    who = f"http:{str(body.get('who') or 'cli')[:64]}"
    result = await reload_knowledge(request.app[BOT], who=who, dry_run=bool(body.get("dry_run")))
    status = 409 if result.busy else 200 if result.ok else 422
    return web.json_response(result.to_dict(), status=status)


def make_app(bot) -> web.Application:
    app = web.Application(client_max_size=64 * 1024)
    app[BOT] = bot
    app[STARTED] = time.monotonic()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics_view)
    app.router.add_post("/admin/reload", admin_reload)
    return app


def _install_sighup(bot) -> bool:
    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGHUP, lambda: loop.create_task(reload_knowledge(bot, who="SIGHUP")))
    except (NotImplementedError, RuntimeError, ValueError, AttributeError):
        return False  # not the main thread, or no SIGHUP on this platform
    return True


async def start_ops_server(bot, host: str | None = None, port: int | None = None) -> web.AppRunner:
    """Start the ops server (host/port default to `[ops]`), the SIGHUP handler and the watcher."""
    ops = bot.settings.ops
    host = ops["host"] if host is None else host
    port = ops["port"] if port is None else port
    app = make_app(bot)
    extras: dict = {}

    async def stop_extras(_app: web.Application) -> None:
        if extras.get("watcher"):
            extras["watcher"].cancel()
        if extras.get("sighup"):
            asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
        if extras.get("sync"):
            extras["sync"].cancel()
            await asyncio.gather(extras["sync"], return_exceptions=True)
            bot.sync = None

    app.on_cleanup.append(stop_extras)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as exc:
        await runner.cleanup()
        raise HelpbotError(
            f"the ops server cannot listen on {host}:{port} ({exc.strerror}): "
            "set [ops] port / HELPBOT_OPS_PORT to a free port (0 = any free port)"
        ) from None
    extras["sighup"] = _install_sighup(bot)
    store = getattr(getattr(bot, "audit", None), "store", None)  # (a bot still loading has none yet)
    if store is not None and store.shared and getattr(bot, "sync", None) is None:  # replicas: reload everywhere
        from bot.ops.sync import KnowledgeSync

        bot.sync = KnowledgeSync(bot)
        extras["sync"] = asyncio.create_task(bot.sync.run())
    if ops["watch"]:
        from bot.ops.watch import watch_knowledge

        extras["watcher"] = asyncio.create_task(watch_knowledge(bot, ops["watch_interval"]))
    log.info("ops server listening", extra={"event": "ops_server", "addresses": [str(a) for a in runner.addresses]})
    return runner


def bound_port(runner: web.AppRunner) -> int:
    """The port the server actually listens on (useful with port 0)."""
    return runner.addresses[0][1]
