"""[llm] settings: names, types, the default backend, the registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.llm import load_llm, validate_config
from tests.llm.fakes import FakeLLM
from tests.plugin_support import installed


def test_no_model_means_logic_only():
    assert validate_config({})["backend"] == "none"
    assert load_llm({}) is None
    assert load_llm({"backend": "none", "model": "ignored.gguf"}) is None


def test_a_model_defaults_to_llama_cpp():
    assert validate_config({"model": "m.gguf"})["backend"] == "llama-cpp"


def test_unknown_setting_is_named():
    with pytest.raises(ConfigError, match=r"unknown \[llm\] setting 'n_gpu'.*n_gpu_layers"):
        validate_config({"model": "m.gguf", "n_gpu": 1})


@pytest.mark.parametrize("cfg, message", [
    ({"backend": "gpt5"}, "unknown [llm] backend 'gpt5'"),
    ({"backend": "transformers"}, "needs a model"),
    ({"model": "m", "n_ctx": "4096"}, "n_ctx must be int"),
    ({"model": "m", "n_ctx": True}, "n_ctx must be int"),
    ({"model": "m", "temperature": "hot"}, "temperature must be int or float"),
    ({"model": "m", "max_tokens": 0}, "max_tokens must be greater than 0"),
    ({"model": "m", "stop": ["ok", 3]}, "stop must be a list of strings"),
])
def test_bad_values_are_explained(cfg, message):
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")):
        validate_config(cfg)


class ConfigRecordingLLM(FakeLLM):
    seen: list[dict] = []

    @classmethod
    def from_config(cls, cfg):
        cls.seen.append(cfg)
        return cls()


def test_registered_backend_gets_the_validated_config(tmp_path):
    with installed(tmp_path, {"helpbot.llm_backends": {"fake-cfg": f"{__name__}:ConfigRecordingLLM"}}):
        llm = load_llm({"backend": "fake-cfg", "model": "x", "temperature": 0})
    seen = ConfigRecordingLLM.seen
    assert isinstance(llm, FakeLLM) and seen[0]["model"] == "x" and seen[0]["backend"] == "fake-cfg"


def test_openai_needs_base_url():
    with pytest.raises(ConfigError, match="base_url"):
        load_llm({"backend": "openai", "model": "m"})
    with pytest.raises(ConfigError, match="http"):
        load_llm({"backend": "openai", "model": "m", "base_url": "localhost:8080"})


def test_importing_bot_llm_loads_no_model_library():
    import subprocess
    import sys

    code = "import sys, bot.llm; print(any(m in sys.modules for m in ('torch', 'llama_cpp', 'transformers')))"
    repo = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=repo)
    assert out.stdout.strip() == "False"
