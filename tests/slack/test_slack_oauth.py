"""Slack OAuth distribution through the real Bolt OAuth flow: `serve` with SLACK_CLIENT_ID set serves
/slack/install and /slack/oauth_redirect, the loopback fake Slack answers oauth.v2.access, the
installation lands in the store (SQLite and PostgreSQL), the new workspace is answered with its own
token, and app_uninstalled removes it."""

from __future__ import annotations

import asyncio
import json
import re
import time

import aiohttp
import pytest
from slack_helpers import KNOWLEDGE, SECRET, Harness, settings_for
from test_slack_serve import Said

from adapters.serve import serve
from adapters.slack.run import Slack

pytestmark = pytest.mark.asyncio(loop_scope="session")

CLIENT = ("1111.2222", "client-secret-value")
TOKEN = "xoxb-new-workspace-token"


@pytest.fixture(params=["sqlite", "postgresql"])
def oauth_bot(request, helpbot, settings, embedder):
    """The session bot (SQLite), or a bot whose store is a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield helpbot
        return
    from bot.config import Settings
    from bot.core.pipeline import HelpBot

    data = {k: dict(v) for k, v in settings.data.items()}
    data["core"]["database_url"] = request.getfixturevalue("pg_url")
    bot = HelpBot(Settings(data), knowledge_dir=KNOWLEDGE, embedder=embedder)
    yield bot
    bot.audit.store.close()


def _event_body(team: str, bot_user: str, event: dict, event_id: str) -> str:
    return json.dumps({
        "token": "legacy", "team_id": team, "api_app_id": "A0HELP", "event": {"event_ts": event.get("ts"), **event},
        "type": "event_callback", "event_id": event_id, "event_time": int(time.time()),
        "authorizations": [{"enterprise_id": None, "team_id": team, "user_id": bot_user, "is_bot": True}],
    })


def _installed(bot, team: str) -> int:
    return bot.audit.store.execute("select count(*) from slack_installations where team_id = ?", [team]).fetchone()[0]


async def test_a_workspace_installed_through_slack_install_is_answered_with_its_own_token(
        fake, oauth_bot, settings, monkeypatch, request):
    team = "TNEW" + request.node.callspec.id.upper()[:2]
    monkeypatch.setenv("SLACK_CLIENT_ID", CLIENT[0])
    monkeypatch.setenv("SLACK_CLIENT_SECRET", CLIENT[1])
    monkeypatch.setenv("SLACK_STATE_SECRET", "a-long-random-state-secret")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", SECRET)
    fake.client = CLIENT
    fake.add_workspace("code-1", team, TOKEN, "UNEWBOT")
    said, stop = Said(), asyncio.Event()
    adapter = Slack(settings_for(settings, fake), 0, "127.0.0.1")
    assert adapter.oauth and [s.name for s in adapter.secrets()][:3] == ["SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET"]
    task = asyncio.create_task(serve(adapter, lambda: oauth_bot, said, stop, ops=False))
    install = (await said.wait(r"install at (http://\S+/slack/install)")).group(1)
    events = (await said.wait(r"Events API on (http://\S+/slack/events)")).group(1)
    base = install.removesuffix("/slack/install")
    async with aiohttp.ClientSession() as session:
        # 1) the install page: Bolt's "Add to Slack" link with a signed state, and the state cookie
        async with session.get(install, allow_redirects=False) as resp:
            assert resp.status == 200
            page = await resp.text()
            cookie = resp.headers["Set-Cookie"].split(";")[0]
        link = re.search(r'href="(https://slack.com/oauth/v2/authorize\?[^"]+)"', page).group(1)
        state = re.search(r"state=([^&]+)", link).group(1)
        assert f"client_id={CLIENT[0]}" in link and "chat%3Awrite" in link.replace(":", "%3A")
        # a forged state and a missing cookie are refused before Slack is asked anything
        async with session.get(f"{base}/slack/oauth_redirect?code=code-1&state=forged.0000",
                               headers={"Cookie": "slack-app-oauth-state=forged.0000"}) as resp:
            assert resp.status >= 400
        assert not fake.calls_to("oauth.v2.access")
        # 2) Slack sends the browser back with a code: Bolt exchanges it (oauth.v2.access) and stores it
        redirect = f"{base}/slack/oauth_redirect?code=code-1&state={state}"
        async with session.get(redirect, headers={"Cookie": cookie}) as resp:
            assert resp.status == 200, await resp.text()
        [exchange] = fake.calls_to("oauth.v2.access")
        assert exchange.args["code"] == "code-1" and exchange.args["client_id"] == CLIENT[0]
        assert _installed(oauth_bot, team) == 1
        async with session.get(redirect, headers={"Cookie": cookie}) as resp:  # a state works once
            assert resp.status >= 400
        assert len(fake.calls_to("oauth.v2.access")) == 1
        # 3) an event from that workspace is answered with that workspace's token and bot user
        harness = Harness(fake, None, events, session)
        mention = {"type": "app_mention", "user": "UNEWUSER", "text": "<@UNEWBOT> How do I export my notes?",
                   "ts": "1710000800.000001", "channel": "CNEW"}
        assert await harness.post(_event_body(team, "UNEWBOT", mention, f"EvOAUTH{team}"), "application/json") == 200
        [post] = await fake.wait_calls("chat.postMessage")
        assert post.token == TOKEN and post.args["channel"] == "CNEW"
        assert "File → Export" in post.args["blocks"][0]["text"]["text"]
        # 4) a workspace that never installed is not answered
        other = {**mention, "ts": "1710000800.000002", "channel": "COTHER"}
        assert await harness.post(_event_body("TNEVER", "UX", other, f"EvNEVER{team}"), "application/json") == 200
        # 5) app_uninstalled: the installation is removed, later events are not answered
        uninstall = {"type": "app_uninstalled", "event_ts": "1710000801.000001"}
        assert await harness.post(_event_body(team, "UNEWBOT", uninstall, f"EvUNINST{team}"), "application/json") == 200
        for _ in range(50):
            if _installed(oauth_bot, team) == 0:
                break
            await asyncio.sleep(0.1)
        assert _installed(oauth_bot, team) == 0
        late = {**mention, "ts": "1710000802.000001", "channel": "CLATE"}
        assert await harness.post(_event_body(team, "UNEWBOT", late, f"EvLATE{team}"), "application/json") == 200
        await asyncio.sleep(0.5)
        assert [p.args["channel"] for p in fake.calls_to("chat.postMessage")] == ["CNEW"]
    stop.set()
    await asyncio.wait_for(task, 30)


async def test_oauth_needs_the_events_api_and_names_each_missing_secret(settings, monkeypatch):
    from adapters.base import read_secrets
    from bot.errors import HelpbotError

    monkeypatch.setenv("SLACK_CLIENT_ID", CLIENT[0])
    with pytest.raises(HelpbotError, match="--http PORT"):
        Slack(settings, None)
    adapter = Slack(settings, 3000)
    with pytest.raises(HelpbotError, match="SLACK_CLIENT_SECRET is not set: copy the Client Secret"):
        read_secrets(adapter.secrets())
    monkeypatch.setenv("SLACK_CLIENT_SECRET", CLIENT[1])
    with pytest.raises(HelpbotError, match="SLACK_STATE_SECRET is not set: set a long random value"):
        read_secrets(adapter.secrets())
