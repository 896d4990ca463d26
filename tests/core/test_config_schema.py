"""One config schema: every key is read somewhere; unknown keys name the known ones; `[audit]
store_text = false` keeps user text out of the audit log; the guard policy file stays layered over
the settings on reload; the generated scanner table in docs/guard.md is current."""

from __future__ import annotations

import re
import uuid

import pytest
import sqlite_utils

from bot.config import load_settings, schema
from bot.errors import ConfigError
from bot.messages import Message
from tests.conftest import REPO, SAMPLE_KNOWLEDGE


def _runtime_source() -> str:
    """The code that reads settings: bot/ and adapters/, less the declarations themselves
    (bot/config.py and each LLM backend's `settings = {...}` line)."""
    parts = []
    for root in ("bot", "adapters"):
        for path in sorted((REPO / root).rglob("*.py")):
            if path == REPO / "bot" / "config.py":
                continue
            text = path.read_text(encoding="utf-8")
            parts.append("\n".join(line for line in text.splitlines() if not line.lstrip().startswith("settings = {")))
    return "\n".join(parts)


def unread_keys(keys: dict[str, dict], source: str) -> list[str]:
    unread = []
    for section, values in keys.items():
        # `settings.slack["command"]`, or through a name bound to the section: `self.conf = settings.slack`
        names = {section, *re.findall(rf"(\w+)\s*=\s*[\w.]*\.{section}\s*$", source, re.M)}
        table = "(?:" + "|".join(sorted(names)) + ")"
        for key in values:
            q = f"[\"']{re.escape(key)}[\"']"
            # [llm] is handed to the backends as one dict (cfg["n_ctx"], keys = ("max_tokens", ...)).
            pattern = q if section == "llm" else rf"\b{table}(?:\[{q}\]|\.get\({q})"
            if not re.search(pattern, source):
                unread.append(f"[{section}] {key}")
    return unread


def test_every_setting_is_read_somewhere():
    source = _runtime_source()
    assert unread_keys({"retrieval": {"never_read_anywhere": 1}}, source) == ["[retrieval] never_read_anywhere"]
    unread = unread_keys(schema(), source)
    assert not unread, f"settings no code reads (wire them or remove them from bot/config.py): {unread}"


@pytest.mark.parametrize("key", ["retrieval_vector_candidates", "llm_n_gpu"])
def test_unknown_keys_name_the_known_ones(key, tmp_path):
    with pytest.raises(ConfigError, match="known in"):
        load_settings(env={f"HELPBOT_{key.upper()}": "1"})
    section, _, name = key.partition("_")
    file = tmp_path / "c.toml"
    file.write_text(f"[{section}]\n{name} = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"unknown key .*\(known: "):
        load_settings(file, env={})


def test_max_passages_is_a_setting():
    assert load_settings(env={"HELPBOT_LLM_MAX_PASSAGES": "3"}).llm["max_passages"] == 3


def _row(bot, text):
    reply = bot.answer_sync(Message(text, platform="test", user_id=uuid.uuid4().hex, channel_id="C1"))
    return reply, sqlite_utils.Database(bot.audit.path)["audit"].get(reply.audit_id)


@pytest.mark.parametrize("store", [True, False])
def test_audit_store_text(store, embedder, tmp_path):
    from bot.core.pipeline import HelpBot

    env = {"HELPBOT_HOME": str(tmp_path), "HELPBOT_AUDIT_STORE_TEXT": str(store).lower()}
    bot = HelpBot(load_settings(env=env), SAMPLE_KNOWLEDGE, embedder=embedder)
    text = "How do I reset my password, zanzibarquux? Mail me at someone@example.com"
    reply, row = _row(bot, text)
    assert row["route"] == reply.route and len(row["user_hash"]) == 16
    if store:
        assert "zanzibarquux" in row["text_redacted"] and "someone@example.com" not in row["text_redacted"]
    else:
        assert row["text_redacted"] == ""
        assert not any("zanzibarquux" in str(v) or "someone" in str(v) for v in row.values())


def test_policy_file_stays_layered_over_the_settings_on_reload(embedder, tmp_path):
    from bot.core.pipeline import HelpBot
    from bot.ops.reload import reload_sync

    policy = tmp_path / "policy.toml"
    policy.write_text("[harm]\nblock = 0.9\n", encoding="utf-8")
    env = {"HELPBOT_HOME": str(tmp_path / "home"), "HELPBOT_GUARD_MODE": "monitor",
           "HELPBOT_GUARD_POLICY": str(policy), "HELPBOT_CORE_MAX_INPUT_CHARS": "300"}
    bot = HelpBot(load_settings(env=env), SAMPLE_KNOWLEDGE, embedder=embedder)
    assert (bot.guard.mode, bot.guard.policy["max_input_chars"], bot.guard.policy["harm"]["block"]) == ("monitor", 300, 0.9)
    policy.write_text("[rate_limit]\nuser_burst = 3\n[grounding]\nthreshold = 0.6\n", encoding="utf-8")
    assert reload_sync(bot, "tester").ok
    p = bot.guard.policy
    assert bot.guard.mode == "monitor" and p["max_input_chars"] == 300  # still the settings
    assert p["rate_limit"]["user_burst"] == 3.0 and p["grounding"]["threshold"] == 0.6  # the file's keys
    assert p["harm"]["block"] == 0.8  # the key the file no longer sets is back to its default
    policy.write_text('mode = "enforce"\n', encoding="utf-8")
    assert reload_sync(bot, "tester").ok and bot.guard.mode == "enforce"  # the file wins for what it sets


def test_docs_scanner_table_is_current():
    from bot.guard.scanners import docs_table

    text = (REPO / "docs" / "guard.md").read_text(encoding="utf-8")
    current = text.split("<!-- scanner table: generated -->\n", 1)[1].split("\n<!-- end scanner table -->", 1)[0]
    assert current == docs_table(), "regenerate the table in docs/guard.md from bot.guard.scanners.docs_table()"
