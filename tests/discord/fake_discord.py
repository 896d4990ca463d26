"""A loopback fake of Discord for the real discord.py client: the REST endpoints it calls and a
gateway websocket (JSON text frames, no compression). Every REST request is recorded so tests
and the benchmark can assert on what the bot sent.

Point discord.py at it with `fake.patch(monkeypatch)` (tests) or `fake.patch()` (the benchmark).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import discord
import yarl
from aiohttp import WSMsgType, web

TOKEN = "fake-token-for-loopback-tests"
APP_ID = 1100000000000000001
BOT_ID = 1100000000000000002
GUILD_ID = 1100000000000000010
CHANNEL_ID = 1100000000000000011
DM_CHANNEL_ID = 1100000000000000012
ADMIN_ROLE_ID = 1100000000000000020
BOT_ROLE_ID = 1100000000000000021
OWNER_ID = 1100000000000000030
HELP_CHANNEL_ID = 1100000000000000013  # a text channel the tests list in [discord] answer_channels
FORUM_ID = 1100000000000000014  # a forum channel (type 15) the tests list in [discord] forum_channels
HANDOFF_CHANNEL_ID = 1100000000000000015  # a text channel for [handoff] discord_channel
LOCKED_CHANNEL_ID = 1100000000000000016  # a text channel the bot may see but not post in (403)
MESSAGE_CONTENT = 1 << 15  # the privileged Message Content intent bit

BOT_USER = {"id": str(BOT_ID), "username": "helpbot", "discriminator": "0", "global_name": None, "avatar": None, "bot": True}


def user(user_id: int, name: str = "someone") -> dict[str, Any]:
    return {"id": str(user_id), "username": name, "discriminator": "0", "global_name": name, "avatar": None}


ALICE = user(1200000000000000001, "alice")  # an ordinary user
ADMIN = user(1200000000000000002, "admin")  # the tests list this id in [discord] admin_users
ROLE_ADMIN = user(1200000000000000003, "helpdesk")  # the tests give this user ADMIN_ROLE_ID


def now_iso() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat()


def _role(role_id: int, name: str, position: int, **extra) -> dict[str, Any]:
    return {"id": str(role_id), "name": name, "permissions": "0", "position": position, "color": 0,
            "hoist": False, "managed": False, "mentionable": False, "flags": 0, **extra}


# What everyone may do in the fake server (a usual community server), and what the locked channel denies.
EVERYONE_PERMISSIONS = discord.Permissions(
    view_channel=True, send_messages=True, send_messages_in_threads=True, create_public_threads=True,
    embed_links=True, read_message_history=True, add_reactions=True).value
LOCKED = discord.Permissions(send_messages=True, create_public_threads=True).value


def _member(u: dict[str, Any], roles: list[int]) -> dict[str, Any]:
    return {"user": u, "roles": [str(r) for r in roles], "joined_at": now_iso(), "deaf": False, "mute": False, "flags": 0}


def _guild_channels() -> list[dict[str, Any]]:
    def text(cid: int, name: str, position: int, kind: int = 0) -> dict[str, Any]:
        return {"id": str(cid), "type": kind, "name": name, "position": position, "permission_overwrites": [],
                "nsfw": False, "parent_id": None, "guild_id": str(GUILD_ID)}

    forum = {**text(FORUM_ID, "questions", 2, kind=15), "available_tags": [], "default_reaction_emoji": None,
             "default_sort_order": None, "default_forum_layout": 0, "flags": 0}
    locked = text(LOCKED_CHANNEL_ID, "announcements", 4)
    locked["permission_overwrites"] = [{"id": str(GUILD_ID), "type": 0, "allow": "0", "deny": str(LOCKED)}]
    return [text(CHANNEL_ID, "general", 0), text(HELP_CHANNEL_ID, "help", 1), forum,
            text(HANDOFF_CHANNEL_ID, "support", 3), locked]


def _json(data: Any, status: int = 200) -> web.Response:
    # discord.py parses a body as JSON only for exactly "application/json" (no charset)
    return web.Response(body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"})


@dataclass
class Request:
    method: str
    path: str  # without the /api/v10 prefix
    query: dict[str, str]
    json: Any
    at: float = field(default_factory=time.perf_counter)


class FakeDiscord:
    """REST under http://127.0.0.1:PORT/api/v10, gateway at ws://127.0.0.1:PORT/gateway/."""

    def __init__(self, shards: int = 1, forbidden_guilds: tuple[int, ...] = (), message_content_allowed: bool = True):
        self.shards = shards
        self.forbidden_guilds = {str(g) for g in forbidden_guilds}  # command sync answers 403 there
        # False: the portal's Message Content toggle is off, so asking for it closes the gateway (4014)
        self.message_content_allowed = message_content_allowed
        self.channels: dict[int, dict[str, Any]] = {int(c["id"]): c for c in _guild_channels()}
        self.forbidden_channels = {LOCKED_CHANNEL_ID}  # posting there answers 403 Missing Permissions
        self.requests: list[Request] = []
        self.identifies: list[dict[str, Any]] = []
        self.gateway_queries: list[dict[str, str]] = []
        self.messages: dict[int, dict[str, Any]] = {}
        self.failures: list[list[Any]] = []  # [method, compiled path pattern, times left, status, retry_after]
        self.originals: dict[str, dict[str, Any]] = {}  # interaction token -> its original response
        self.dispatched: dict[int, float] = {}  # interaction/message id -> perf_counter at dispatch
        self._sessions: list[tuple[web.WebSocketResponse, list[int]]] = []
        self._ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> "FakeDiscord":
        app = web.Application()
        app.router.add_get("/gateway/", self._gateway)
        app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return self

    async def close(self) -> None:
        for ws, _ in list(self._sessions):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway/"

    def patch(self, monkeypatch=None) -> None:
        """Send discord.py's REST calls and gateway connection here: undone after the test with
        pytest's `monkeypatch`, or for the rest of the process without (the benchmark)."""
        put = monkeypatch.setattr if monkeypatch is not None else setattr
        put(discord.http.Route, "BASE", self.api_base)
        put(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(self.gateway_url))

    def snowflake(self) -> int:
        return discord.utils.time_snowflake(dt.datetime.now(dt.timezone.utc)) + next(self._ids)

    # -- waiting -------------------------------------------------------------------------------
    async def wait_for(self, predicate: Callable[[Request], bool], timeout: float = 20.0) -> Request:
        """The first recorded request matching `predicate`, waiting for it if needed."""
        found: list[Request] = []

        def check() -> bool:
            found[:] = [r for r in self.requests if predicate(r)][:1]
            return bool(found)

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(check), timeout)
        return found[0]

    async def wait_request(self, method: str, pattern: str, timeout: float = 20.0, after: float = 0.0) -> Request:
        rx = re.compile(pattern)
        return await self.wait_for(lambda r: r.method == method and rx.fullmatch(r.path) and r.at >= after, timeout)

    async def callback_for(self, interaction: dict[str, Any]) -> Request:
        """The interaction response (POST .../callback) the bot sent for `interaction`."""
        return await self.wait_request("POST", rf"/interactions/{interaction['id']}/[^/]+/callback")

    async def followup_for(self, interaction: dict[str, Any]) -> Request:
        """The first follow-up message (POST /webhooks/{app}/{token}) for `interaction`."""
        return await self.wait_request("POST", rf"/webhooks/{APP_ID}/{re.escape(interaction['token'])}")

    def fail(self, method: str, pattern: str, times: int = 1, status: int = 429, retry_after: float = 0.05) -> None:
        """Answer the next `times` requests matching (method, path pattern) with `status`; a 429 is a
        rate limit like Discord's (JSON `retry_after`, and the `Via` header of Discord's own 429s)."""
        self.failures.append([method, re.compile(pattern), times, status, retry_after])

    def _injected(self, r: Request) -> web.Response | None:
        for failure in self.failures:
            method, rx, left, status, retry_after = failure
            if left > 0 and r.method == method and rx.fullmatch(r.path):
                failure[2] -= 1
                if status != 429:
                    return _json({"message": "Injected failure", "code": 0}, status)
                response = _json({"message": "You are being rate limited.", "retry_after": retry_after, "global": False}, 429)
                response.headers.update({"Via": "1.1 google", "Retry-After": str(retry_after), "X-RateLimit-Scope": "user"})
                return response
        return None

    def find(self, method: str, pattern: str) -> list[Request]:
        rx = re.compile(pattern)
        return [r for r in self.requests if r.method == method and rx.fullmatch(r.path)]

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # -- REST ----------------------------------------------------------------------------------
    async def _rest(self, request: web.Request) -> web.Response:
        body = await request.read()
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            payload = {"_raw": body.decode("utf-8", "replace")}
        path = "/" + request.match_info["tail"]
        rec = Request(request.method, path, dict(request.query), payload)
        self.requests.append(rec)
        await self._notify()
        if request.headers.get("Authorization") not in (f"Bot {TOKEN}", None):
            return _json({"message": "401: Unauthorized", "code": 0}, 401)
        injected = self._injected(rec)
        if injected is not None:
            return injected
        status, data = self._answer(rec)
        if status == 204:
            return web.Response(status=204)
        return _json(data, status)

    def _answer(self, r: Request) -> tuple[int, Any]:
        m, p = r.method, r.path
        if (m, p) == ("GET", "/users/@me"):
            return 200, BOT_USER
        if m == "GET" and p in ("/applications/@me", "/oauth2/applications/@me"):
            return 200, self._application()
        if (m, p) == ("GET", "/gateway/bot"):
            limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
            return 200, {"url": self.gateway_url, "shards": self.shards, "session_start_limit": limit}
        sync = re.fullmatch(r"/applications/\d+(?:/guilds/(\d+))?/commands", p)
        if m == "PUT" and sync and sync.group(1) in self.forbidden_guilds:
            return 403, {"message": "Missing Access", "code": 50001}
        if m == "PUT" and sync:
            return 200, [self._command(c) for c in r.json]
        if m == "POST" and re.fullmatch(r"/interactions/\d+/[^/]+/callback", p):
            return 200, self._callback(int(p.split("/")[2]), r.json)
        if m == "POST" and re.fullmatch(r"/webhooks/\d+/[^/]+", p):
            return 200, self.store_message(r.json, webhook=True)
        if m == "PATCH" and re.fullmatch(r"/webhooks/\d+/[^/]+/messages/@original", p):
            token = p.split("/")[3]
            if token not in self.originals:
                self.originals[token] = self.store_message({}, webhook=True)
            return self._edit(self.originals[token], r.json)
        if m == "PATCH" and re.fullmatch(r"/(?:webhooks/\d+/[^/]+|channels/\d+)/messages/\d+", p):
            return self._edit(self.messages.get(int(p.rsplit("/", 1)[1])), r.json)
        if m == "DELETE" and re.fullmatch(r"/webhooks/\d+/[^/]+/messages/@original", p):
            return 204, None
        if m == "POST" and re.fullmatch(r"/channels/\d+/typing", p):
            return 204, None
        parts = p.split("/")
        if p.startswith("/channels/") and m != "GET" and int(parts[2]) in self.forbidden_channels:
            return 403, {"message": "Missing Permissions", "code": 50013}
        if m == "POST" and re.fullmatch(r"/channels/\d+/messages", p):
            return 200, self.store_message(r.json, channel_id=int(parts[2]))
        if m == "POST" and re.fullmatch(r"/channels/\d+/messages/\d+/threads", p):
            return 201, self._thread(int(parts[2]), r.json, int(parts[4]))
        if m == "POST" and re.fullmatch(r"/channels/\d+/threads", p) and "message" in (r.json or {}):
            mid = self.snowflake()  # a new forum post: the thread and its first message share an id
            thread = self._thread(int(parts[2]), r.json, mid)
            first = self.store_message(r.json["message"], channel_id=mid)
            self.messages[mid] = self.messages.pop(int(first["id"]))
            first["id"] = str(mid)
            return 201, {**thread, "message": first}
        if m == "PUT" and re.fullmatch(r"/channels/\d+/messages/\d+/reactions/[^/]+/@me", p):
            return 204, None
        if m == "GET" and re.fullmatch(r"/channels/\d+", p):
            channel = self.channels.get(int(parts[2]))
            return (200, channel) if channel else (404, {"message": "Unknown Channel", "code": 10003})
        if m == "GET" and re.fullmatch(r"/channels/\d+/messages/\d+", p):
            message = self.messages.get(int(parts[4]))
            return (200, message) if message else (404, {"message": "Unknown Message", "code": 10008})
        if m == "GET" and re.fullmatch(r"/channels/\d+/messages", p):
            return 200, self._history(int(parts[2]), r.query)
        return 404, {"message": f"Unknown route in the fake: {m} {p}", "code": 0}

    def _history(self, channel_id: int, query: dict[str, str]) -> list[dict[str, Any]]:
        """A channel's messages, newest first, as GET /channels/{id}/messages answers."""
        found = sorted((m for m in self.messages.values() if m["channel_id"] == str(channel_id)),
                       key=lambda m: int(m["id"]), reverse=True)
        if "before" in query:
            found = [m for m in found if int(m["id"]) < int(query["before"])]
        if "after" in query:
            found = [m for m in found if int(m["id"]) > int(query["after"])]
        return found[: int(query.get("limit", 50))]

    @staticmethod
    def _edit(message: dict[str, Any] | None, body: dict[str, Any]) -> tuple[int, Any]:
        if message is None:
            return 404, {"message": "Unknown Message", "code": 10008}
        message.update({k: v for k, v in body.items() if k in ("content", "embeds", "components")})
        return 200, message

    def _application(self) -> dict[str, Any]:
        return {"id": str(APP_ID), "name": "helpbot", "description": "", "icon": None, "bot_public": False,
                "bot_require_code_grant": False, "owner": user(OWNER_ID, "owner"), "verify_key": "0" * 64,
                "flags": 0, "summary": "", "bot": BOT_USER}

    def _command(self, c: dict[str, Any]) -> dict[str, Any]:
        return {"description": "", **c, "id": str(self.snowflake()), "application_id": str(APP_ID), "version": "1",
                "default_member_permissions": c.get("default_member_permissions"), "type": c.get("type", 1)}

    def _callback(self, interaction_id: int, body: dict[str, Any]) -> dict[str, Any]:
        flags = (body.get("data") or {}).get("flags", 0) or 0
        out: dict[str, Any] = {"interaction": {"id": str(interaction_id), "type": body["type"],
                                               "response_message_loading": body["type"] == 5,
                                               "response_message_ephemeral": bool(flags & 64)}}
        if body["type"] == 4:
            out["resource"] = {"type": 4, "message": self.store_message(body.get("data") or {}, webhook=True)}
        return out

    def modal_for(self, interaction: dict[str, Any]) -> dict[str, Any] | None:
        """The modal (callback type 9) the bot opened in answer to `interaction`, if any."""
        found = self.find("POST", rf"/interactions/{interaction['id']}/[^/]+/callback")
        return found[0].json["data"] if found and found[0].json["type"] == 9 else None

    def store_message(self, body: dict[str, Any], channel_id: int = CHANNEL_ID, webhook: bool = False) -> dict[str, Any]:
        """Keep a message the bot sent (or one a test places as sent earlier); return its payload."""
        mid = self.snowflake()
        message = {
            "id": str(mid), "channel_id": str(channel_id), "type": 19 if body.get("message_reference") else 0,
            "content": body.get("content") or "", "embeds": body.get("embeds") or [],
            "components": body.get("components") or [], "flags": body.get("flags", 0) or 0,
            "author": BOT_USER, "attachments": [], "mentions": [], "mention_roles": [], "mention_everyone": False,
            "pinned": False, "tts": False, "timestamp": now_iso(), "edited_timestamp": None,
        }
        if body.get("message_reference"):
            ref = body["message_reference"]
            message["message_reference"] = {"message_id": str(ref["message_id"]), "channel_id": str(channel_id),
                                            "guild_id": str(GUILD_ID)}
        if webhook:
            message["webhook_id"] = str(APP_ID)
        elif channel_id in self.channels:
            message["guild_id"] = str(GUILD_ID)
        self.messages[mid] = message
        return message

    def _thread(self, channel_id: int, body: dict[str, Any], message_id: int | None = None,
                owner: int = BOT_ID) -> dict[str, Any]:
        """A new public thread (on `message_id`: its id is the message's, as on Discord). A thread
        the bot starts is announced to it with THREAD_CREATE, as Discord does."""
        meta = {"archived": False, "auto_archive_duration": 1440, "archive_timestamp": now_iso(), "locked": False}
        thread = {"id": str(message_id or self.snowflake()), "type": 11, "guild_id": str(GUILD_ID),
                  "parent_id": str(channel_id), "name": body.get("name", ""), "owner_id": str(owner),
                  "thread_metadata": meta, "message_count": 0, "member_count": 1, "rate_limit_per_user": 0, "flags": 0}
        self.channels[int(thread["id"])] = thread
        if owner == BOT_ID and self._sessions:
            asyncio.get_running_loop().create_task(self.dispatch("THREAD_CREATE", {**thread, "newly_created": True}))
        return thread

    # -- gateway -------------------------------------------------------------------------------
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self.gateway_queries.append(dict(request.query))
        seq = [0]
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            payload = json.loads(msg.data)
            if payload["op"] == 1:
                await ws.send_json({"op": 11, "d": None, "s": None, "t": None})
            elif payload["op"] == 2:
                self.identifies.append(payload["d"])
                if payload["d"]["intents"] & MESSAGE_CONTENT and not self.message_content_allowed:
                    await ws.close(code=4014, message=b"Disallowed intent(s).")
                    break
                self._sessions.append((ws, seq))
                await self._send(ws, seq, "READY", self._ready(payload["d"]))
                await self._send(ws, seq, "GUILD_CREATE", self.guild())
        self._sessions = [s for s in self._sessions if s[0] is not ws]
        return ws

    async def _send(self, ws, seq: list[int], event: str, data: dict[str, Any]) -> None:
        seq[0] += 1
        await ws.send_str(json.dumps({"op": 0, "t": event, "s": seq[0], "d": data}))

    def _ready(self, identify: dict[str, Any]) -> dict[str, Any]:
        ready = {"v": 10, "user": BOT_USER, "guilds": [{"id": str(GUILD_ID), "unavailable": True}],
                 "session_id": f"session-{len(self.identifies)}", "resume_gateway_url": self.gateway_url,
                 "application": {"id": str(APP_ID), "flags": 0}, "private_channels": [], "relationships": []}
        if "shard" in identify:
            ready["shard"] = identify["shard"]
        return ready

    def guild(self) -> dict[str, Any]:
        roles = [_role(GUILD_ID, "@everyone", 0, permissions=str(EVERYONE_PERMISSIONS)), _role(ADMIN_ROLE_ID, "helpdesk", 1),
                 _role(BOT_ROLE_ID, "helpbot", 2, managed=True, tags={"bot_id": str(BOT_ID)})]
        channels = [c for c in self.channels.values() if c["type"] != 11]
        return {"id": str(GUILD_ID), "name": "Loopback", "owner_id": str(OWNER_ID), "roles": roles,
                "channels": channels, "threads": [], "members": [_member(BOT_USER, [BOT_ROLE_ID])],
                "member_count": 2, "emojis": [], "stickers": [], "features": [], "unavailable": False,
                "large": False, "joined_at": now_iso(), "voice_states": [], "presences": [],
                "stage_instances": [], "guild_scheduled_events": [], "soundboard_sounds": []}

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a DISPATCH event on the first gateway session (shard 0). A guild message reaches a
        client without the Message Content intent with its text removed, as on Discord (unless it
        mentions the bot)."""
        ws, seq = self._sessions[0]
        self.dispatched[int(data["id"])] = time.perf_counter()
        if event == "MESSAGE_CREATE" and "guild_id" in data:
            intents = self.identifies[-1]["intents"]
            mentioned = any(u["id"] == str(BOT_ID) for u in data.get("mentions", ())) \
                or str(BOT_ROLE_ID) in data.get("mention_roles", ())  # the bot's own role counts here
            if not intents & MESSAGE_CONTENT and not mentioned and data["author"]["id"] != str(BOT_ID):
                data = {**data, "content": "", "embeds": [], "attachments": [], "components": []}
        await self._send(ws, seq, event, data)

    async def post(self, content: str, *, author: dict[str, Any], channel_id: int = CHANNEL_ID,
                   **extra) -> dict[str, Any]:
        """A person posts a message in a guild channel or thread: stored (history) and dispatched."""
        message = self.message_create(content, author=author, channel_id=channel_id, **extra)
        self.messages[int(message["id"])] = message
        await self.dispatch("MESSAGE_CREATE", message)
        return message

    async def forum_post(self, title: str, content: str, *, author: dict[str, Any],
                         forum_id: int = FORUM_ID) -> tuple[dict[str, Any], dict[str, Any]]:
        """A person opens a forum post: THREAD_CREATE (the post), then MESSAGE_CREATE for its first
        message, whose id is the thread's (Discord's order and ids)."""
        mid = self.snowflake()
        thread = self._thread(forum_id, {"name": title}, mid, owner=int(author["id"]))
        await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        message = self.message_create(content, author=author, channel_id=mid, message_id=mid)
        self.messages[mid] = message
        await self.dispatch("MESSAGE_CREATE", message)
        return thread, message

    # -- payloads (shaped like Discord's documented ones) --------------------------------------
    def _interaction(self, kind: int, data: dict[str, Any], author: dict[str, Any], roles: list[int] | None,
                     dm: bool, channel_id: int | str = CHANNEL_ID, **extra) -> dict[str, Any]:
        iid = self.snowflake()
        payload: dict[str, Any] = {
            "id": str(iid), "application_id": str(APP_ID), "type": kind, "token": f"itoken-{iid}", "version": 1,
            "data": data, "locale": "en-US", "app_permissions": "2248473465835073", "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024, **extra,
        }
        if dm:
            payload.update(channel_id=str(DM_CHANNEL_ID), user=author, context=1,
                           channel={"id": str(DM_CHANNEL_ID), "type": 1, "recipients": [author]},
                           authorizing_integration_owners={"1": author["id"]})
        else:
            member = {**_member(author, roles or []), "permissions": "2248473465835073"}
            channel = self.channels[int(channel_id)]
            payload.update(guild_id=str(GUILD_ID), channel_id=channel["id"], member=member, context=0,
                           guild_locale="en-US", authorizing_integration_owners={"0": str(GUILD_ID)}, channel=channel)
        return payload

    def slash(self, name: str, options: dict[str, Any] | None = None, *, author: dict[str, Any],
              roles: list[int] | None = None, dm: bool = False, sub: str | None = None) -> dict[str, Any]:
        """A chat-input command interaction (type 2); `sub` for a subcommand of group `name`."""
        types = {str: 3, bool: 5, int: 4}
        opts = [{"name": k, "type": types[type(v)], "value": v} for k, v in (options or {}).items()]
        if sub:
            opts = [{"name": sub, "type": 1, "options": opts}]
        data = {"id": str(self.snowflake()), "name": name, "type": 1, "options": opts}
        return self._interaction(2, data, author, roles, dm)

    def click(self, message: dict[str, Any], custom_id: str, *, author: dict[str, Any],
              roles: list[int] | None = None) -> dict[str, Any]:
        """A button click (component interaction, type 3) on a message the bot sent, in its channel."""
        data = {"custom_id": custom_id, "component_type": 2}
        channel_id = message["channel_id"] if int(message["channel_id"]) in self.channels else str(CHANNEL_ID)
        return self._interaction(3, data, author, roles, False, message=message, channel_id=channel_id)

    def message_command(self, name: str, target: dict[str, Any], *, author: dict[str, Any],
                        roles: list[int] | None = None) -> dict[str, Any]:
        """A message context-menu command (type 2, command type 3) on `target`, in its channel."""
        data = {"id": str(self.snowflake()), "name": name, "type": 3, "target_id": target["id"],
                "resolved": {"messages": {target["id"]: target}}}
        return self._interaction(2, data, author, roles, False, channel_id=target["channel_id"])

    def submit(self, modal: dict[str, Any], values: dict[str, str], *, author: dict[str, Any],
               roles: list[int] | None = None, channel_id: int | str = CHANNEL_ID) -> dict[str, Any]:
        """A modal submission (type 5) of `modal` (as the bot sent it) with `values` by input
        custom_id; inputs not in `values` keep the text the bot prefilled."""
        rows = []
        for row in modal["components"]:
            inputs = [row["component"]] if row["type"] == 18 else row["components"]
            for item in inputs:
                rows.append({"type": 1, "components": [{"type": 4, "custom_id": item["custom_id"],
                                                        "value": values.get(item["custom_id"], item.get("value", ""))}]})
        data = {"custom_id": modal["custom_id"], "components": rows}
        return self._interaction(5, data, author, roles, False, channel_id=channel_id)

    def message_create(self, content: str, *, author: dict[str, Any], mentions: list[dict[str, Any]] = (),
                       dm: bool = False, mention_roles: list[int] = (), everyone: bool = False,
                       channel_id: int = CHANNEL_ID, message_id: int | None = None,
                       reference: dict[str, Any] | None = None) -> dict[str, Any]:
        """A MESSAGE_CREATE payload in a guild channel (or thread), or in a DM; `reference`: the
        message it replies to."""
        payload = {
            "id": str(message_id or self.snowflake()), "channel_id": str(DM_CHANNEL_ID if dm else channel_id), "type": 0,
            "content": content, "author": author, "mentions": list(mentions), "attachments": [], "embeds": [],
            "mention_roles": [str(r) for r in mention_roles], "mention_everyone": everyone, "pinned": False,
            "tts": False, "timestamp": now_iso(), "edited_timestamp": None, "flags": 0, "components": [],
        }
        if not dm:
            payload.update(guild_id=str(GUILD_ID), member=_member(author, []))
        if reference is not None:
            payload.update(type=19, referenced_message=reference, message_reference={
                "type": 0, "message_id": reference["id"], "channel_id": reference["channel_id"], "guild_id": str(GUILD_ID)})
        return payload
