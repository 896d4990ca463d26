"""Who may run admin commands: configured user ids ("slack:U123" counts as "U123"), or workspace
admins and owners (users.info). The commands themselves are run and audited by bot/ops/admin.py."""

from __future__ import annotations

import logging
from typing import Callable

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.caches import ExpiringCache
from bot.config import Settings
from bot.ops.admin import listed_admin

log = logging.getLogger("helpbot.slack")


class AdminCheck:
    """`client`: the Web API client, or a function returning the current workspace's (OAuth)."""

    def __init__(self, client: AsyncWebClient | Callable[[], AsyncWebClient], settings: Settings, ttl: float = 300.0):
        self.client_of = client if callable(client) else (lambda: client)
        self.configured = (settings.slack["admins"], settings.admin["users"])
        self._cache = ExpiringCache(maxsize=5000, ttl=ttl)

    async def is_admin(self, user_id: str) -> bool:
        if listed_admin(user_id, "slack", *self.configured):
            return True
        client = self.client_of()
        key = (client.token, user_id)  # per workspace (OAuth: each has its own token)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        try:
            user = (await client.users_info(user=user_id)).get("user") or {}
        except SlackApiError as exc:
            log.warning("users.info failed for %s (%s); treating as not an admin", user_id, exc.response.get("error"))
            return False
        except Exception:  # noqa: BLE001 - fail closed: no answer from Slack means no admin rights
            log.warning("users.info failed for %s; treating as not an admin", user_id, exc_info=True)
            return False
        allowed = bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))
        self._cache.set(key, allowed)
        return allowed
