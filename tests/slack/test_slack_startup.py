"""Start-up: clear errors naming the variable for missing, malformed or rejected tokens."""

from __future__ import annotations

import logging
import socket

import pytest
from click.testing import CliRunner

from adapters.slack.connect import Tokens, close_client, make_client, read_tokens, verify
from fake_slack import FakeSlack
from adapters.slack.run import connect
from bot.cli import main
from bot.errors import HelpbotError

on_session_loop = pytest.mark.asyncio(loop_scope="session")


@pytest.mark.parametrize(
    "env, http, message",
    [
        ({}, False, "SLACK_BOT_TOKEN is not set"),
        ({"SLACK_BOT_TOKEN": "xoxp-user-token"}, False, "SLACK_BOT_TOKEN must start with xoxb- (it starts with xoxp-)"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, False, "SLACK_APP_TOKEN is not set"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"}, False, "SLACK_APP_TOKEN must start with xapp-"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, True, "SLACK_SIGNING_SECRET is not set"),
    ],
)
def test_missing_or_malformed_tokens(monkeypatch, env, http, message):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(HelpbotError) as err:
        read_tokens(http=http)
    assert message in str(err.value)
    for value in env.values():
        assert value not in str(err.value), "tokens are never printed"


def test_good_tokens(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-2")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s3")
    assert read_tokens(http=False) == Tokens(bot="xoxb-1", app="xapp-2")
    assert read_tokens(http=True) == Tokens(bot="xoxb-1", signing_secret="s3")


@pytest.fixture
def root_logging():
    """`serve` installs JSON logging on the root logger; put the test process's back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


def test_cli_names_the_missing_variable_before_loading_anything(monkeypatch, root_logging):
    result = CliRunner().invoke(main, ["serve", "slack", "--http", "3000"], env={"SLACK_BOT_TOKEN": "xoxb-1"})
    assert result.exit_code == 1
    assert "error: SLACK_SIGNING_SECRET is not set" in result.output
    assert "Traceback" not in result.output


@on_session_loop
async def test_rejected_token_is_a_clear_error():
    fake = await FakeSlack(tokens={"xoxb-good"}).start()
    try:
        with pytest.raises(HelpbotError, match=r"SLACK_BOT_TOKEN was rejected by Slack \(invalid_auth\)"):
            await verify(make_client("xoxb-revoked", fake.api_url))
        identity = await verify(make_client("xoxb-good", fake.api_url))
        assert (identity.user_id, identity.bot_id) == ("UHELPBOT", "BHELPBOT")
    finally:
        await fake.close()


@on_session_loop
async def test_api_url_setting_is_used_and_unreachable_api_is_named(settings):
    from slack_helpers import settings_for

    fake = await FakeSlack().start()
    try:
        client, identity = await connect(settings_for(settings, fake), Tokens(bot="xoxb-x"))
        assert client.base_url == fake.api_url and fake.calls_to("auth.test")
        await close_client(client)
    finally:
        await fake.close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once closed
    with pytest.raises(HelpbotError, match="cannot reach the Slack Web API at http://127.0.0.1"):
        await verify(make_client("xoxb-x", f"http://127.0.0.1:{port}/api/"))
