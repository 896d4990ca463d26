"""Start-up checks: tokens from the environment, the Web API client, and auth.test.

Every problem becomes one HelpbotError naming the variable to fix; tokens are never printed.
"""

from __future__ import annotations

import asyncio
import math
import random
from dataclasses import dataclass
from typing import Callable

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler, AsyncServerErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.base import Secret, read_secrets
from bot.config import Settings
from bot.errors import HelpbotError

DEFAULT_API_URL = "https://slack.com/api/"
# auth.test errors that mean "this token is not valid"
BAD_TOKEN_ERRORS = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired", "not_allowed_token_type"}


NETWORK_ERRORS = (aiohttp.ClientError, OSError, TimeoutError)


def unreachable(client: AsyncWebClient, exc: Exception) -> HelpbotError:
    return HelpbotError(
        f"cannot reach the Slack Web API at {client.base_url} ({exc.__class__.__name__}): "
        "check the network, or HELPBOT_SLACK_API_URL if you set it"
    )


@dataclass(frozen=True)
class Tokens:
    bot: str
    app: str | None = None  # Socket Mode
    signing_secret: str | None = None  # HTTP mode


@dataclass(frozen=True)
class Identity:
    """Who the bot is, from auth.test."""

    user_id: str
    bot_id: str
    team_id: str
    team: str = ""


def token_secrets(http: bool) -> list[Secret]:
    """The secrets a mode needs. `http`: Events API, else Socket Mode."""
    bot = Secret("SLACK_BOT_TOKEN", "copy the Bot User OAuth Token (xoxb-...) from your app's OAuth & Permissions page", "xoxb-")
    if http:
        return [bot, Secret("SLACK_SIGNING_SECRET", "copy the Signing Secret from your app's Basic Information page")]
    app_hint = "create an App-Level Token with the connections:write scope on your app's Basic Information page"
    return [bot, Secret("SLACK_APP_TOKEN", app_hint + " (or use --http PORT for the Events API)", "xapp-")]


def read_tokens(http: bool) -> Tokens:
    """The secrets a mode needs, checked for presence and shape."""
    values = read_secrets(token_secrets(http))
    return Tokens(bot=values["SLACK_BOT_TOKEN"], app=values.get("SLACK_APP_TOKEN"), signing_secret=values.get("SLACK_SIGNING_SECRET"))


def api_url(settings: Settings) -> str:
    url = settings.slack["api_url"] or DEFAULT_API_URL
    if not url.startswith(("http://", "https://")):
        raise HelpbotError(f"HELPBOT_SLACK_API_URL={url!r} must be an http(s) URL such as {DEFAULT_API_URL}")
    return url if url.endswith("/") else url + "/"


MAX_RATE_LIMIT_WAIT_S = 30.0  # one call waits at most this long in all for rate limits, then fails


class RateLimitRetryHandler(AsyncRetryHandler):
    """Retries HTTP 429 and `{"ok": false, "error": "ratelimited"}` after the Retry-After Slack asks
    for (1 s when it names none), while the waits for one call add up to at most `max_wait_s`;
    a call that would have to wait longer fails with Slack's error at once.
    (slack_sdk's own handler retries 429 only, a fixed number of times, however long Retry-After is.)"""

    def __init__(self, max_wait_s: float = MAX_RATE_LIMIT_WAIT_S, max_retry_count: int = 20,
                 on_wait: Callable[[], None] | None = None):
        super().__init__(max_retry_count)
        self.max_wait_s = max_wait_s
        self.on_wait = on_wait  # counts each wait (`helpbot_rate_limited_total`); set by `count_rate_limits`

    @staticmethod
    def rate_limited(response) -> bool:
        if response is None:
            return False
        body = response.body if isinstance(response.body, dict) else {}
        text = response.data.decode("utf-8", "replace").strip() if response.data and not body else ""  # response_url: text
        return response.status_code == 429 or body.get("error") == "ratelimited" or text in ("ratelimited", "rate_limited")

    @staticmethod
    def retry_after(response) -> float:
        for name, values in response.headers.items():
            if name.lower() == "retry-after" and values:
                try:
                    seconds = float(values[0])
                except (TypeError, ValueError):  # an HTTP date or junk: wait the default
                    break
                if math.isfinite(seconds) and seconds >= 0:
                    return seconds
        return 1.0

    def _budget_left(self, state) -> float:
        return self.max_wait_s - (state.custom_values or {}).get("rate_limit_wait_s", 0.0)

    async def _can_retry_async(self, *, state, request, response=None, error=None) -> bool:
        return self.rate_limited(response) and self.retry_after(response) <= self._budget_left(state)

    async def prepare_for_next_attempt_async(self, *, state, request, response=None, error=None) -> None:
        wait = self.retry_after(response)
        wait += random.uniform(0, max(0.0, min(0.25, self._budget_left(state) - wait)))  # spread parallel retries
        values = state.custom_values = dict(state.custom_values or {})
        values["rate_limit_wait_s"] = values.get("rate_limit_wait_s", 0.0) + wait
        if self.on_wait is not None:
            self.on_wait()
        await asyncio.sleep(wait)
        state.next_attempt_requested = True
        state.increment_current_attempt()


def make_client(token: str, base_url: str, timeout: int = 30, session: aiohttp.ClientSession | None = None,
                max_rate_limit_wait_s: float = MAX_RATE_LIMIT_WAIT_S) -> AsyncWebClient:
    """A Web API client that retries rate limits (see RateLimitRetryHandler), 5xx and dropped connections.

    With `session`, connections are kept alive between calls (else each call opens its own).
    """
    return AsyncWebClient(
        token=token,
        base_url=base_url,
        timeout=timeout,
        session=session,
        retry_handlers=retry_handlers(max_rate_limit_wait_s),
    )


def retry_handlers(max_rate_limit_wait_s: float = MAX_RATE_LIMIT_WAIT_S, on_wait: Callable[[], None] | None = None) -> list:
    """Rate limits (bounded in total), 5xx and dropped connections: for Web API and response_url calls."""
    return [
        RateLimitRetryHandler(max_rate_limit_wait_s, on_wait=on_wait),
        AsyncServerErrorRetryHandler(max_retry_count=2),
        AsyncConnectionErrorRetryHandler(max_retry_count=2),
    ]


async def close_client(client: AsyncWebClient) -> None:
    """Close the client's kept-alive HTTP session, if it has one."""
    if client.session is not None and not client.session.closed:
        await client.session.close()


def token_problem(exc: SlackApiError, variable: str, fix: str, otherwise: str) -> HelpbotError:
    """The error for a call Slack refused: a rejected token names `variable` and `fix`; any other
    error is `otherwise`, formatted with {error}."""
    error = exc.response.get("error", "unknown_error")
    if error in BAD_TOKEN_ERRORS:
        return HelpbotError(f"{variable} was rejected by Slack ({error}): {fix}")
    return HelpbotError(otherwise.format(error=error))


async def verify(client: AsyncWebClient) -> Identity:
    """Call auth.test; turn a rejected token or an unreachable API into a clear error."""
    try:
        resp = await client.auth_test()
    except SlackApiError as exc:
        raise token_problem(exc, "SLACK_BOT_TOKEN", "copy the current Bot User OAuth Token from your app's OAuth & "
                            "Permissions page (reinstall the app if it was revoked)",
                            "auth.test failed ({error}): check SLACK_BOT_TOKEN and the app's installation") from None
    except NETWORK_ERRORS as exc:
        raise unreachable(client, exc) from None
    if not resp.get("bot_id"):
        raise HelpbotError("SLACK_BOT_TOKEN is not a bot token (auth.test returned no bot_id): use the xoxb- token")
    return Identity(user_id=resp["user_id"], bot_id=resp["bot_id"], team_id=resp.get("team_id", ""), team=resp.get("team", ""))


def count_rate_limits(client: AsyncWebClient, metrics) -> None:
    """Count the client's rate-limit waits in `metrics` (the bot's, known only once the bot is loaded)."""
    for handler in client.retry_handlers:
        if isinstance(handler, RateLimitRetryHandler):
            handler.on_wait = lambda: metrics.rate_limited.inc(platform="slack")
