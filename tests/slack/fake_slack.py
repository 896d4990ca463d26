"""A loopback stand-in for Slack's side, for tests and benchmarks: the Web API, response_url
endpoints and a Socket Mode websocket. It records every call so a test can assert on exactly
what Slack would have received.

    fake = FakeSlack(); await fake.start()
    client = make_client("xoxb-test", fake.api_url)
    ...
    calls = await fake.wait_calls("chat.postMessage")
"""

from __future__ import annotations
# (tests/slack/fake_slack.py: test code, not shipped; benchmarks import it from here too)

import asyncio
import itertools
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from aiohttp import WSMsgType, web


@dataclass
class Call:
    method: str  # "chat.postMessage", "response_url", "socket.ack", ...
    args: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    token: str | None = None
    path: str = ""


class FakeSlack:
    def __init__(self, user_id: str = "UHELPBOT", bot_id: str = "BHELPBOT", team_id: str = "T0HELP", tokens: set[str] | None = None):
        self.identity = {"user_id": user_id, "bot_id": bot_id, "team_id": team_id, "team": "Test workspace", "user": "helpbot"}
        self.tokens = tokens  # None: any token is valid; else only these
        self.users: dict[str, dict] = {}  # users.info answers: id -> {"is_admin": ..., "is_owner": ...}
        self.workspaces: dict[str, dict] = {}  # OAuth: code -> the workspace oauth.v2.access installs (add_workspace)
        self.identities: dict[str, dict] = {}  # bot token -> auth.test's answer for it (installed workspaces)
        self.client: tuple[str, str] | None = None  # OAuth app credentials oauth.v2.access accepts (None: any)
        self.calls: list[Call] = []
        self.queued: dict[str, list[tuple[int, dict, dict]]] = {}
        self.url = ""
        self._ts = itertools.count(1)
        self._changed: asyncio.Condition | None = None
        self._socket_out: asyncio.Queue | None = None
        self._runner: web.AppRunner | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> "FakeSlack":
        self._changed = asyncio.Condition()
        self._socket_out = asyncio.Queue()
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{name}", self._respond)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}/"
        return self

    async def close(self) -> None:
        if self._runner:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return self.url + "api/"

    def response_url(self, name: str = "cmd") -> str:
        return f"{self.url}respond/{name}"

    # -- test controls -----------------------------------------------------------------------
    def queue_response(self, method: str, status: int, body: dict | str, headers: dict | None = None) -> None:
        """Answer the next call to `method` ("response_url" for response_url posts) with this
        instead (e.g. a 429 with Retry-After)."""
        self.queued.setdefault(method, []).append((status, headers or {}, body))

    def add_workspace(self, code: str, team_id: str, token: str, bot_user_id: str, team: str = "Other workspace") -> None:
        """Slack's side of an OAuth install: the redirect's `code` gives this workspace's bot token."""
        identity = {"user_id": bot_user_id, "bot_id": "B" + team_id, "team_id": team_id, "team": team, "user": "helpbot"}
        self.workspaces[code] = {"token": token, **identity}
        self.identities[token] = identity

    def calls_to(self, *methods: str) -> list[Call]:
        return [c for c in self.calls if c.method in methods]

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 15.0) -> Any:
        """Wait until predicate() is truthy (re-checked on every recorded call); return its value."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), timeout)
        return predicate()

    async def wait_calls(self, method: str, count: int = 1, timeout: float = 15.0) -> list[Call]:
        return await self.wait_for(lambda: len(self.calls_to(method)) >= count and self.calls_to(method), timeout)

    async def _record(self, call: Call) -> None:
        self.calls.append(call)
        async with self._changed:
            self._changed.notify_all()

    # -- Web API -----------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.method == "POST" and request.can_read_body:
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                args.update(await request.post())
        auth = request.headers.get("Authorization", "")
        if method == "oauth.v2.access":  # the app's credentials, as HTTP Basic auth or in the form
            if auth.startswith("Basic "):
                import base64

                args["client_id"], _, args["client_secret"] = base64.b64decode(auth[6:]).decode().partition(":")
            auth = ""
        token = auth.removeprefix("Bearer ") or args.get("token")
        await self._record(Call(method, args, token=token, path=request.path))
        if self.queued.get(method):
            status, headers, body = self.queued[method].pop(0)
            return web.json_response(body, status=status, headers=headers)
        if method == "oauth.v2.access":
            return web.json_response(self._oauth_access(args))
        if self.tokens is not None and token not in self.tokens and token not in self.identities:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        return web.json_response(self._answer(method, args, token))

    def _oauth_access(self, args: dict) -> dict:
        """oauth.v2.access: exchange an install's code for the workspace's bot token."""
        if self.client is not None and (args.get("client_id"), args.get("client_secret")) != self.client:
            return {"ok": False, "error": "invalid_client_id"}
        workspace = self.workspaces.pop(args.get("code", ""), None)
        if workspace is None:
            return {"ok": False, "error": "invalid_code"}
        return {
            "ok": True, "access_token": workspace["token"], "token_type": "bot", "scope": "chat:write,commands",
            "bot_user_id": workspace["user_id"], "app_id": "A0HELP",
            "team": {"id": workspace["team_id"], "name": workspace["team"]}, "enterprise": None,
            "authed_user": {"id": "UINSTALLER"}, "is_enterprise_install": False,
        }

    def _answer(self, method: str, args: dict, token: str | None = None) -> dict:
        ts = f"1700000000.{next(self._ts):06d}"
        if method == "auth.test":
            return {"ok": True, "url": "https://test.slack.invalid/", **self.identities.get(token, self.identity)}
        if method == "chat.postMessage":
            return {"ok": True, "channel": args.get("channel"), "ts": ts, "message": {"text": args.get("text"), "ts": ts}}
        if method == "chat.update":
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts"), "text": args.get("text")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method == "users.info":
            user = args.get("user", "")
            return {"ok": True, "user": {"id": user, "is_admin": False, "is_owner": False, **self.users.get(user, {})}}
        if method == "chat.getPermalink":
            ts = str(args.get("message_ts", ""))
            return {"ok": True, "channel": args.get("channel"),
                    "permalink": f"https://test.slack.invalid/archives/{args.get('channel')}/p{ts.replace('.', '')}"}
        if method == "views.open":
            view = args.get("view")
            view = json.loads(view) if isinstance(view, str) else view
            return {"ok": True, "view": {"id": f"V{next(self._ts)}", **(view or {})}}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.url.replace("http://", "ws://") + "socket"}
        return {"ok": True}

    async def _respond(self, request: web.Request) -> web.Response:
        await self._record(Call("response_url", await request.json(), path=request.path))
        if self.queued.get("response_url"):
            status, headers, body = self.queued["response_url"].pop(0)
            if isinstance(body, str):  # response_url answers in plain text ("ok", "ratelimited", ...)
                return web.Response(text=body, status=status, headers=headers)
            return web.json_response(body, status=status, headers=headers)
        return web.Response(text="ok")

    # -- Socket Mode -------------------------------------------------------------------------
    async def send_envelope(self, payload: dict, kind: str = "events_api", retry_attempt: int = 0) -> str:
        """Push one Socket Mode envelope to the connected client; returns its envelope_id."""
        envelope_id = str(uuid.uuid4())
        envelope = {"envelope_id": envelope_id, "type": kind, "payload": payload, "accepts_response_payload": kind != "events_api"}
        if kind == "events_api":
            envelope.update(retry_attempt=retry_attempt, retry_reason="timeout" if retry_attempt else "")
        await self._socket_out.put(envelope)
        return envelope_id

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        await self._record(Call("socket.connect", {}, path=request.path))
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {"app_id": "A0HELP"}})

        async def pump() -> None:
            while True:
                await ws.send_json(await self._socket_out.get())

        sender = asyncio.create_task(pump())
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    await self._record(Call("socket.ack", json.loads(msg.data), path=request.path))
        finally:
            sender.cancel()
        return ws
