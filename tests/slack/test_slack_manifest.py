"""The app manifests match what the code does: command, events, and a scope for every API method."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.config import DEFAULTS

ROOT = Path(__file__).resolve().parents[2]
SCOPE_FOR = {
    "chat_postMessage": "chat:write", "chat_postEphemeral": "chat:write", "chat_update": "chat:write",
    "chat_delete": "chat:write",
    "reactions_add": "reactions:write", "reactions_remove": "reactions:write", "users_info": "users:read",
    "chat_getPermalink": None,  # no scope needed (the link to the asker's message in a handoff post)
}


def methods_used() -> set[str]:
    source = "\n".join(p.read_text() for p in (ROOT / "adapters" / "slack").glob("*.py"))
    return set(re.findall(r"\b((?:chat|reactions|users)_[A-Za-z]+)\b", source))


@pytest.mark.parametrize("name, socket_mode", [("manifest.yaml", True), ("manifest-http.yaml", False),
                                               ("manifest-oauth.yaml", False)])
def test_manifest_matches_the_adapter(name, socket_mode):
    manifest = yaml.safe_load((ROOT / "deploy" / "slack" / name).read_text())
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is socket_mode
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == [DEFAULTS["slack"]["command"]]
    assert set(settings["event_subscriptions"]["bot_events"]) >= {"app_mention", "message.im", "message.channels"}
    assert settings["interactivity"]["is_enabled"] is True
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    used = methods_used()
    assert used >= {"chat_postMessage", "chat_postEphemeral", "reactions_add", "users_info"}
    assert {SCOPE_FOR[m] for m in used if SCOPE_FOR[m]} | {"app_mentions:read", "im:history", "channels:history",
                                                          "commands"} <= scopes
    # "Save as FAQ" on any message: the shortcut the adapter listens for (needs the `commands` scope)
    from adapters.slack.handoff import SHORTCUT

    assert [(s["type"], s["callback_id"]) for s in manifest["features"]["shortcuts"]] == [("message", SHORTCUT)]
    if not socket_mode:
        urls = [manifest["features"]["slash_commands"][0]["url"], settings["event_subscriptions"]["request_url"],
                settings["interactivity"]["request_url"]]
        assert all(u.endswith("/slack/events") for u in urls)


def test_the_oauth_manifest_asks_for_the_scopes_the_install_link_asks_for():
    from adapters.slack.oauth import BOT_SCOPES, REDIRECT_PATH

    manifest = yaml.safe_load((ROOT / "deploy" / "slack" / "manifest-oauth.yaml").read_text())
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)
    [redirect] = manifest["oauth_config"]["redirect_urls"]
    assert redirect.endswith(REDIRECT_PATH) and redirect.startswith("https://")
    http = yaml.safe_load((ROOT / "deploy" / "slack" / "manifest-http.yaml").read_text())
    assert sorted(http["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)
