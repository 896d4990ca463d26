"""Slack's front door in HTTP mode: each request is checked before Bolt parses it.

Slack signs every request (https://api.slack.com/authentication/verifying-requests-from-slack):
`X-Slack-Signature: v0=HMAC-SHA256(signing secret, "v0:{timestamp}:{raw body}")`. Here the raw
bytes are read (bounded in size and time), the timestamp and signature checked, and only then
is the body decoded and handed to Bolt. A refused request gets 401 (not signed by Slack), 400
(signed but unreadable), 413 (too large) or 415 (not a content type Slack sends); the log says
why, with the body's length and a short hash, never the body itself.

Bolt's own verification (which logs whole bodies at INFO) is switched off in `SlackAdapter`;
its `_require_front_door` middleware refuses HTTP requests that did not come through here.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from typing import Callable

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest


log = logging.getLogger("helpbot.slack")

MAX_BODY = 1 << 20  # Slack's payloads are far smaller; bigger ones are refused unread
MAX_SKEW_S = 5 * 60  # Slack's advice: refuse timestamps more than five minutes away
READ_TIMEOUT_S = 10.0  # a body that trickles in slower than this is dropped
CONTENT_TYPES = ("application/json", "application/x-www-form-urlencoded")
VERIFIED = "helpbot_verified"  # context key set on requests that passed the front door
LOG_EVERY_S = 10.0  # at most one log line per refusal reason this often (the rest are counted)


class Refused(Exception):
    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status, self.reason = status, reason


def fingerprint(body: bytes) -> str:
    """A short hash that tells two bodies apart in the log without showing them."""
    return hashlib.sha256(body).hexdigest()[:12]


def signature_for(secret: bytes, timestamp: str, body: bytes) -> str:
    return "v0=" + hmac.new(secret, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()


class FrontDoor:
    """The aiohttp handler for POST /slack/events in front of `app` (a Bolt AsyncApp)."""

    def __init__(self, app: AsyncApp, signing_secret: str, metrics, clock: Callable[[], float] = time.time,
                 max_body: int = MAX_BODY, read_timeout_s: float = READ_TIMEOUT_S):
        self.app, self.secret, self.clock, self.max_body = app, signing_secret.encode(), clock, max_body
        self.metrics = metrics  # the bot's: refusals count in helpbot_slack_refused_requests_total
        self.read_timeout_s = read_timeout_s
        self._logged: dict[str, tuple[float, int]] = {}  # reason -> (last logged at, refusals not logged since)

    async def handle(self, request: web.Request) -> web.Response:
        body = b""
        try:
            body = await self._read(request)
            self.check(request.headers.get("X-Slack-Request-Timestamp"), request.headers.get("X-Slack-Signature"), body)
            bolt_request = self._bolt_request(request, body)
        except Refused as refused:
            self._log_refusal(refused, body)
            return web.json_response({"error": refused.reason}, status=refused.status)
        return await to_aiohttp_response(await self.app.async_dispatch(bolt_request))

    async def _read(self, request: web.Request) -> bytes:
        if request.content_length is not None and request.content_length > self.max_body:
            raise Refused(413, "body too large")
        try:
            return await asyncio.wait_for(request.read(), self.read_timeout_s)
        except web.HTTPRequestEntityTooLarge:
            raise Refused(413, "body too large") from None
        except asyncio.TimeoutError:
            raise Refused(408, "body too slow") from None

    def check(self, timestamp: str | None, signature: str | None, body: bytes) -> None:
        """Raise Refused(401) unless Slack signed `body` at `timestamp` within the last five minutes."""
        if not timestamp:
            raise Refused(401, "no timestamp")
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
            raise Refused(401, "malformed timestamp")
        if abs(self.clock() - int(timestamp)) > MAX_SKEW_S:
            raise Refused(401, "stale timestamp")
        if not signature:
            raise Refused(401, "no signature")
        expected = signature_for(self.secret, timestamp, body)
        if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
            raise Refused(401, "bad signature")

    def _bolt_request(self, request: web.Request, body: bytes) -> AsyncBoltRequest:
        """The verified body as Bolt's request; signed but unreadable bodies are refused with 400/415."""
        if request.content_type not in CONTENT_TYPES:
            raise Refused(415, "unsupported content type")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused(400, "body is not UTF-8") from None
        try:
            bolt_request = AsyncBoltRequest(body=text, query=request.query_string, headers=request.headers, context={VERIFIED: True})
        except Exception:  # noqa: BLE001 - Bolt's parsers raise many kinds (JSON, shapes); all mean "malformed"
            raise Refused(400, "malformed body") from None
        if not well_formed(bolt_request.body):
            raise Refused(400, "malformed body")
        return bolt_request

    def _log_refusal(self, refused: Refused, body: bytes) -> None:
        self.metrics.slack_refused.inc(reason=refused.reason)
        now = time.monotonic()
        last, quiet = self._logged.get(refused.reason, (-LOG_EVERY_S, 0))
        if now - last < LOG_EVERY_S:
            self._logged[refused.reason] = (last, quiet + 1)
            return
        self._logged[refused.reason] = (now, 0)
        more = f"; {quiet} more since the last line" if quiet else ""
        log.info("slack: refused a request with %d (%s): %d bytes, sha256 %s%s",
                 refused.status, refused.reason, len(body), fingerprint(body), more)


def well_formed(body) -> bool:
    """The shapes Bolt indexes into without checking: a dict whose `event`, `view`, ... are dicts,
    `actions` a list of dicts, and `type`, `command`, ids strings (found by tests/slack/test_slack_fuzz.py)."""
    if not isinstance(body, dict):
        return False
    for key in ("type", "command", "event_id", "team_id", "api_app_id"):
        if key in body and not isinstance(body[key], str):
            return False
    if "event" in body and not (isinstance(body["event"], dict) and isinstance(body["event"].get("type", ""), str)):
        return False
    for key in ("actions", "authorizations"):
        if key in body and not (isinstance(body[key], list) and all(isinstance(x, dict) for x in body[key])):
            return False
    for key in ("user", "team", "channel", "enterprise"):
        if key in body and not isinstance(body[key], (dict, str, type(None))):
            return False
    for key in ("view", "container", "message", "function_data", "bot_access_token"):
        if key in body and not isinstance(body[key], dict):
            return False
    return True
