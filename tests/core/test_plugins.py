"""Adding a guard scanner, an LLM backend or an embedder is one file: a tiny one of each, installed
through a real entry point (a `*.dist-info` with `entry_points.txt` on sys.path), is used end to end."""

from __future__ import annotations

import json
import uuid

import pytest
import sqlite_utils

from bot.config import load_settings, schema
from bot.core.pipeline import HelpBot
from bot.errors import ConfigError
from bot.guard import default_policy, resolve_policy
from bot.messages import Message
from tests.conftest import SAMPLE_KNOWLEDGE
from tests.llm.fakes import in_scope_unanswered
from tests.plugin_support import installed

SCANNER = '''
from bot.guard.base import ScanContext, ScanResult, Scanner


class ShoutingScanner(Scanner):
    """Blocks a message with a long run of capitals; flags a shorter one."""

    name = "shouting"
    order = {"input": 65}  # after the injection rules, before the harm layer
    defaults = {"block_caps": 12, "flag_caps": 6}
    replies = {"shouting": "No need to shout: ask me about {service}."}

    def __init__(self, block_caps, flag_caps):
        self.block_caps, self.flag_caps = block_caps, flag_caps

    def scan(self, text: str, context: ScanContext) -> ScanResult:
        caps = sum(c.isupper() for c in text)
        if caps >= self.block_caps:
            return ScanResult(text, "block", 0.5, "shouting.caps")
        if caps >= self.flag_caps:
            return ScanResult(text, "flag", 0.2, "shouting.some_caps")
        return ScanResult(text)
'''

BACKEND = '''
from bot.llm.base import LLM


class TinyLLM(LLM):
    """Echoes the first passage with its citation, after its own setting `tiny_greeting`."""

    name = "tiny"
    settings = {"tiny_greeting": "hello"}
    made = []

    def __init__(self, greeting):
        self.greeting, self.model = greeting, "tiny-1"
        TinyLLM.made.append(self)

    @classmethod
    def from_config(cls, cfg):
        return cls(cfg["tiny_greeting"])

    def execute(self, request):
        content = request.messages[-1]["content"]
        first = content.split("id=", 1)[1].split()[0]
        text = content.split(">>>\\n", 1)[1].split("\\n<<<END>>>", 1)[0]
        yield f"{self.greeting} {text} [{first}]"
'''

def msg(text: str) -> Message:
    return Message(text, platform="test", user_id=uuid.uuid4().hex, channel_id=uuid.uuid4().hex)


@pytest.fixture
def shouting(tmp_path):
    with installed(tmp_path / "plugins", {"helpbot.scanners": {"shouting": "helpbot_shouting:ShoutingScanner"}},
                   {"helpbot_shouting": SCANNER}):
        yield


async def test_a_scanner_is_one_file(shouting, embedder, session_home, tmp_path):
    policy = default_policy()
    assert policy["input"][policy["input"].index("injection_rules") + 1] == "shouting"
    assert policy["shouting"] == {"block_caps": 12, "flag_caps": 6}
    with pytest.raises(ConfigError, match="shouting.block_cap"):
        resolve_policy({"shouting": {"block_cap": 3}})
    file = tmp_path / "policy.toml"
    file.write_text("[shouting]\nflag_caps = 4\n", encoding="utf-8")
    env = {"HELPBOT_HOME": str(session_home), "HELPBOT_GUARD_POLICY": str(file)}
    bot = HelpBot(load_settings(env=env), SAMPLE_KNOWLEDGE, embedder=embedder)
    blocked = await bot.handle(msg("HOW DO I RESET MY PASSWORD"))
    assert blocked.route == "block" and "shouting.caps" in blocked.reasons
    assert blocked.answer == f"No need to shout: ask me about {bot.service}."
    flagged = await bot.handle(msg("How do I reset my PASSword?"))  # 5 capitals: over the file's 4
    assert flagged.route == "answer" and "shouting.some_caps" in flagged.reasons
    quiet = await bot.handle(msg("How do I reset my password?"))
    assert "shouting.some_caps" not in quiet.reasons


def test_without_the_package_the_scanner_is_unknown():
    assert "shouting" not in default_policy()
    with pytest.raises(ConfigError, match="unknown input scanner 'shouting'"):
        resolve_policy({"input": ["normalize", "shouting"]})


async def test_an_llm_backend_is_one_file(embedder, tmp_path, monkeypatch):
    with installed(tmp_path / "plugins", {"helpbot.llm_backends": {"tiny": "helpbot_tiny:TinyLLM"}},
                   {"helpbot_tiny": BACKEND}):
        import helpbot_tiny

        assert schema()["llm"]["tiny_greeting"] == "hello"  # the backend's own setting joins the schema
        config = tmp_path / "helpbot.toml"
        config.write_text('[llm]\nbackend = "tiny"\nmodel = "tiny-1"\ntiny_greeting = "from-the-file"\n',
                          encoding="utf-8")
        with pytest.raises(ConfigError, match="tiny_greeting"):  # a typo names the known keys
            load_settings(env={"HELPBOT_LLM_TINY_GREETIN": "x"})
        settings = load_settings(config, env={"HELPBOT_HOME": str(tmp_path / "home"),
                                              "HELPBOT_LLM_TINY_GREETING": "Greetings"})
        assert settings.llm["tiny_greeting"] == "Greetings"  # the environment over the file
        bot = HelpBot(settings, SAMPLE_KNOWLEDGE, embedder=embedder)
        bot.snapshot.calibration.answer_threshold = 0.9  # paraphrases fall to the LLM
        bot.swap(bot.snapshot)
        reply = await bot.handle(msg(in_scope_unanswered(bot)))
        bot.generator.close()
        assert helpbot_tiny.TinyLLM.made[-1].greeting == "Greetings"
        assert reply.route == "answer" and reply.generated and reply.answer.startswith("Greetings ")
        assert reply.versions["llm"].startswith("tiny")
    config.write_text('[llm]\ntiny_greeting = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"unknown key \[llm\] tiny_greeting"):  # uninstalled: unknown again
        load_settings(config, env={})


async def test_an_embedder_is_chosen_by_name(tmp_path):
    with installed(tmp_path / "plugins", {"helpbot.embedders": {"test-hash": "tests.core.test_index:HashEmbedder"}}):
        env = {"HELPBOT_HOME": str(tmp_path / "home"), "HELPBOT_EMBEDDING_MODEL": "test-hash",
               "HELPBOT_EMBEDDING_BATCH_SIZE": "7"}
        bot = HelpBot(load_settings(env=env), SAMPLE_KNOWLEDGE)
        assert type(bot.embedder).__name__ == "HashEmbedder" and bot.embedder.batch_size == 7
        assert bot.snapshot.index.rows.shape[1] == 64 and bot.embedder.calls > 0
        calls = bot.embedder.calls
        await bot.handle(msg("How do I reset my password?"))
        assert bot.embedder.calls > calls  # the message was embedded by the plugin
        db = sqlite_utils.Database(bot.audit.path)
        versions = json.loads(next(db["audit"].rows)["versions"])
        assert versions["embedding"] == "test-hash"
