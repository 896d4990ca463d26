"""Credentials inside URLs are masked wherever settings are printed or logged."""

from __future__ import annotations

import json
import logging

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.config import load_settings, mask_url_credentials


@pytest.mark.parametrize("raw, shown", [
    ("http://user:hunter2@llm.internal:8080/v1", "http://user:****@llm.internal:8080/v1"),
    ("postgresql://helpbot:s3cr%40t@db:5432/helpbot", "postgresql://helpbot:****@db:5432/helpbot"),
    ("https://ghp_abcdefTOKEN@example.com/repo", "https://****@example.com/repo"),
    ("https://api.example/v1?api_key=abc123&model=x", "https://api.example/v1?api_key=****&model=x"),
    ("https://h/x?token=t0k&sig=zz", "https://h/x?token=****&sig=****"),
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ("plain text with no url", "plain text with no url"),
    ("mail me at a@b.example", "mail me at a@b.example"),
])
def test_mask_url_credentials(raw, shown):
    assert mask_url_credentials(raw) == shown


def test_helpbot_config_masks_url_credentials():
    env = {"HELPBOT_LLM_BASE_URL": "http://admin:hunter2@llm.internal:8080"}
    result = CliRunner(env=env).invoke(main, ["config"])
    assert result.exit_code == 0, result.output
    assert "hunter2" not in result.output
    assert json.loads(result.output)["llm"]["base_url"] == "http://admin:****@llm.internal:8080"
    # The settings themselves keep the real value: only what is shown is masked.
    assert load_settings(env=env).llm["base_url"].endswith("hunter2@llm.internal:8080")


def test_logs_mask_url_credentials():
    from bot.ops.logging import scrub

    line = scrub("LLM backend at http://admin:hunter2@llm.internal:8080 failed; db postgresql://u:pw9@db/x")
    assert "hunter2" not in line and "pw9" not in line and "admin:****@llm.internal" in line


def test_openai_backend_sends_url_credentials_as_basic_auth_and_hides_them():
    from bot.llm.backends.openai_backend import OpenAILLM

    llm = OpenAILLM("m", base_url="http://admin:hunter2@127.0.0.1:9/v1")
    assert llm.url == "http://127.0.0.1:9/v1/chat/completions" and "hunter2" not in llm.shown_url
    assert llm.basic_auth == "Basic YWRtaW46aHVudGVyMg=="  # base64("admin:hunter2")
