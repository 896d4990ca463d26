"""Slack OAuth distribution: many workspaces install the app through Bolt's standard
/slack/install and /slack/oauth_redirect, each installation is kept in helpbot's store (SQLite or
PostgreSQL, so every replica finds it), and each workspace is answered with its own bot token.

`helpbot serve slack --http PORT` runs this way when SLACK_CLIENT_ID is set (with
SLACK_CLIENT_SECRET, SLACK_STATE_SECRET and SLACK_SIGNING_SECRET). Bolt removes an installation
on `app_uninstalled` and `tokens_revoked` (its token revocation listeners call the store below).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets as random_secrets
import time

from slack_bolt.authorization.async_authorize import AsyncInstallationStoreAuthorize
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.oauth.installation_store import Bot, Installation
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

from adapters.base import Secret
from bot.core.store import Store, StoreUnavailable, now_iso

log = logging.getLogger("helpbot.slack.oauth")

INSTALL_PATH, REDIRECT_PATH = "/slack/install", "/slack/oauth_redirect"  # Bolt's defaults
STATE_TTL_S = 600  # an install link works this long, once
# The bot scopes the adapter needs (deploy/slack/manifest-oauth.yaml lists the same; a test checks it).
BOT_SCOPES = ("app_mentions:read", "channels:history", "groups:history", "im:history", "chat:write", "commands",
              "reactions:write", "users:read")


def oauth_secrets() -> list[Secret]:
    where = "your app's Basic Information page (App Credentials)"
    return [
        Secret("SLACK_CLIENT_ID", f"copy the Client ID from {where}"),
        Secret("SLACK_CLIENT_SECRET", f"copy the Client Secret from {where}"),
        Secret("SLACK_STATE_SECRET", "set a long random value (e.g. `openssl rand -hex 32`); it signs install links"),
        Secret("SLACK_SIGNING_SECRET", f"copy the Signing Secret from {where}"),
    ]


def _key(enterprise_id: str | None, team_id: str | None, is_enterprise_install: bool | None = False) -> list[str]:
    """The row of an installation: an org-wide install is kept per enterprise, others per team."""
    return [enterprise_id or "", "" if is_enterprise_install else (team_id or "")]


def _plain(value):
    return value.timestamp() if isinstance(value, dt.datetime) else str(value)


class StoreInstallationStore(AsyncInstallationStore):
    """Bot installations, one row per workspace (or org) in the store's `slack_installations` table."""

    def __init__(self, store: Store, client_id: str):
        self.store, self.client_id = store, client_id
        self._logger = log
        self._seen: dict[tuple, Installation] = {}  # the last installation found per row, for outages

    @property
    def logger(self):
        return self._logger

    async def async_save(self, installation: Installation) -> None:
        row = _key(installation.enterprise_id, installation.team_id, installation.is_enterprise_install)
        data = json.dumps(installation.to_dict_for_copying(), default=_plain)
        await asyncio.to_thread(
            self.store.write_returning,
            "insert into slack_installations (enterprise_id, team_id, data, ts) values (?, ?, ?, ?) "
            "on conflict (enterprise_id, team_id) do update set data = excluded.data, ts = excluded.ts",
            [*row, data, now_iso()])
        log.info("slack: installed in workspace %s", installation.team_name or installation.team_id or installation.enterprise_id)

    async def async_save_bot(self, bot: Bot) -> None:
        raise NotImplementedError("helpbot saves whole installations (async_save)")

    async def _find(self, enterprise_id, team_id, is_enterprise_install) -> Installation | None:
        key = _key(enterprise_id, team_id, is_enterprise_install)
        try:
            rows = await asyncio.to_thread(self.store.fetch, "select data from slack_installations where enterprise_id = ? "
                                           "and team_id = ?", key)
        except StoreUnavailable as exc:  # an outage: workspaces this replica saw before are still answered
            log.warning("slack: installation looked up in this replica's memory (%s)", exc)
            return self._seen.get(tuple(key))
        found = Installation(**json.loads(rows[0][0])) if rows else None
        if found is None:
            self._seen.pop(tuple(key), None)
        else:
            self._seen[tuple(key)] = found
        return found

    async def async_find_installation(self, *, enterprise_id, team_id, user_id=None, is_enterprise_install=False):
        return await self._find(enterprise_id, team_id, is_enterprise_install)

    async def async_find_bot(self, *, enterprise_id, team_id, is_enterprise_install=False):
        found = await self._find(enterprise_id, team_id, is_enterprise_install)
        return found.to_bot() if found and found.bot_token else None

    async def async_delete_installation(self, *, enterprise_id, team_id, user_id=None) -> None:
        if user_id is None:  # a user's token: helpbot keeps bot tokens only
            await self.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_bot(self, *, enterprise_id, team_id) -> None:
        await self.async_delete_all(enterprise_id=enterprise_id, team_id=team_id)

    async def async_delete_all(self, *, enterprise_id, team_id) -> None:
        for is_org in (False, True):
            self._seen.pop(tuple(_key(enterprise_id, team_id, is_org)), None)
            await asyncio.to_thread(self.store.write_returning, "delete from slack_installations where enterprise_id = ? "
                                    "and team_id = ?", _key(enterprise_id, team_id, is_org))
        log.info("slack: removed the installation of workspace %s", team_id or enterprise_id)



class StoreStateStore(AsyncOAuthStateStore):
    """OAuth `state` values: signed with SLACK_STATE_SECRET, recorded in the store, usable once and
    for `STATE_TTL_S` on any replica (the install and the redirect may reach different ones)."""

    def __init__(self, store: Store, secret: str, ttl_s: float = STATE_TTL_S):
        self.store, self.secret, self.ttl_s = store, secret.encode(), ttl_s
        self._logger = log

    @property
    def logger(self):
        return self._logger

    def _sign(self, nonce: str) -> str:
        return hmac.new(self.secret, nonce.encode(), hashlib.sha256).hexdigest()[:32]

    async def async_issue(self, *args, **kwargs) -> str:
        nonce = random_secrets.token_urlsafe(24)
        await asyncio.to_thread(self.store.write_returning, "insert into oauth_states (state, expires) values (?, ?)",
                                [nonce, time.time() + self.ttl_s])
        return f"{nonce}.{self._sign(nonce)}"

    async def async_consume(self, state: str) -> bool:
        nonce, _, signature = (state or "").rpartition(".")
        if not nonce or not hmac.compare_digest(self._sign(nonce).encode(), signature.encode("utf-8", "replace")):
            log.warning("slack: refused an OAuth redirect with a state helpbot did not sign")
            return False
        row = await asyncio.to_thread(self.store.write_returning, "delete from oauth_states where state = ? returning expires",
                                      [nonce])
        if row is None or row[0] < time.time():
            log.warning("slack: refused an OAuth redirect with an expired or already used state")
            return False
        return True


def oauth_settings(store: Store, values: dict[str, str]) -> tuple[AsyncOAuthSettings, AsyncInstallationStoreAuthorize]:
    """Bolt's OAuth settings over helpbot's store, and the authorize step that finds each workspace's
    token (auth.test results cached per token, so an event costs one indexed read)."""
    installations = StoreInstallationStore(store, values["SLACK_CLIENT_ID"])
    settings = AsyncOAuthSettings(
        client_id=values["SLACK_CLIENT_ID"], client_secret=values["SLACK_CLIENT_SECRET"], scopes=list(BOT_SCOPES),
        installation_store=installations, installation_store_bot_only=True,
        state_store=StoreStateStore(store, values["SLACK_STATE_SECRET"]), state_expiration_seconds=STATE_TTL_S,
        install_path=INSTALL_PATH, redirect_uri_path=REDIRECT_PATH, logger=log,
    )
    authorize = AsyncInstallationStoreAuthorize(logger=log, installation_store=installations, bot_only=True,
                                                cache_enabled=True)
    return settings, authorize


def installations(store: Store) -> int:
    """How many workspaces (or orgs) have the app installed."""
    return store.execute("select count(*) from slack_installations").fetchone()[0]


def oauth_handler(app):
    """The aiohttp handler for GET /slack/install and /slack/oauth_redirect: Bolt's own OAuth flow.
    (Browsers call these, not Slack, so they are not signed; the state checks the redirect.)"""
    from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request

    async def handle(request):
        bolt_request = await to_bolt_request(request)
        flow = app.oauth_flow
        if request.path == flow.install_path:
            response = await flow.handle_installation(bolt_request)
        else:
            response = await flow.handle_callback(bolt_request)
        return await to_aiohttp_response(response)

    return handle
