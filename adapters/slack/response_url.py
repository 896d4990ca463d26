"""Answers to the slash command go to its response_url (what Bolt's `respond()` does), with the
same rate-limit handling as the Web API client: HTTP 429 / `ratelimited` is retried after the
Retry-After Slack asks for, within one bounded total wait (connect.RateLimitRetryHandler).
A post Slack still refuses raises `ResponseUrlError`, which the caller counts as a failed delivery.
"""

from __future__ import annotations

from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack.connect import MAX_RATE_LIMIT_WAIT_S, retry_handlers


class ResponseUrlError(Exception):
    """Slack did not take a response_url post (after the retries)."""

    def __init__(self, status: int, body: str):
        super().__init__(f"response_url answered HTTP {status}")
        self.status, self.body = status, body

    @property
    def reason(self) -> str:
        """A short, bounded name for the failure: Slack's error text, or the HTTP status."""
        text = self.body.strip()
        if self.status == 429 or text in ("ratelimited", "rate_limited"):
            return "ratelimited"
        return text[:40] if text and text.replace("_", "").isalnum() else f"http_{self.status}"


class ResponseUrl:
    """`await respond(text=..., blocks=..., response_type=..., replace_original=...)`, like Bolt's."""

    def __init__(self, url: str, metrics=None, max_rate_limit_wait_s: float = MAX_RATE_LIMIT_WAIT_S):
        on_wait = (lambda: metrics.rate_limited.inc(platform="slack")) if metrics is not None else None
        self.client = AsyncWebhookClient(url, retry_handlers=retry_handlers(max_rate_limit_wait_s, on_wait))

    async def __call__(self, **message) -> None:
        response = await self.client.send_dict({k: v for k, v in message.items() if v is not None})
        if response.status_code != 200:
            raise ResponseUrlError(response.status_code, response.body or "")
