"""Guard policy: which scanners run, in which mode, with which thresholds.

`default_policy()` is the full schema, derived from the scanners (each declares its own table);
a user policy (dict or TOML/YAML/JSON file) overrides any
part of it. Unknown keys raise ConfigError naming the key. Thresholds marked "fitted" were set
with `python -m bot.dev.guard_evaluate` on ../shared/data (see docs/guard.md).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from bot.errors import ConfigError
from bot.guard import scanners

MODES = ("enforce", "monitor")

# The keys of no single scanner; each scanner's own table comes from its class (scanners/).
BASE_POLICY: dict[str, Any] = {
    "mode": "enforce",
    "channel_modes": {},  # channel id -> "enforce" | "monitor"
    "max_input_chars": 4000,
    "decode_depth": 3,
    "state": {"max_keys": 10000, "max_history": 20},
}


def default_policy() -> dict[str, Any]:
    """The full schema: BASE_POLICY, the default input/output lists and every scanner's table."""
    policy = copy.deepcopy(BASE_POLICY)
    policy["input"], policy["output"] = scanners.default_list("input"), scanners.default_list("output")
    for cls in scanners.scanners().values():
        if table := cls.policy_table():
            policy[table] = copy.deepcopy(cls.defaults)
    return policy


def _merge(base: dict, override: dict, path: str) -> dict:
    out = copy.deepcopy(base)
    for key, value in override.items():
        where = f"{path}{key}"
        if key not in base:
            known = ", ".join(sorted(base))
            raise ConfigError(f"unknown guard policy key {where!r} (known keys here: {known})")
        default = base[key]
        if key == "channel_modes":
            if not isinstance(value, dict):
                raise ConfigError(f"guard policy {where!r} must be a table of channel id -> mode")
            out[key] = dict(value)
        elif isinstance(default, dict):
            if not isinstance(value, dict):
                raise ConfigError(f"guard policy {where!r} must be a table, got {type(value).__name__}")
            out[key] = _merge(default, value, where + ".")
        elif isinstance(default, bool) or isinstance(value, bool):
            if type(value) is not type(default):
                raise ConfigError(f"guard policy {where!r} must be {type(default).__name__}")
            out[key] = value
        elif isinstance(default, (int, float)):
            if not isinstance(value, (int, float)):
                raise ConfigError(f"guard policy {where!r} must be a number, got {value!r}")
            out[key] = type(default)(value)
        elif isinstance(default, list):
            if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
                raise ConfigError(f"guard policy {where!r} must be a list of scanner names")
            out[key] = list(value)
        else:
            if not isinstance(value, str):
                raise ConfigError(f"guard policy {where!r} must be a string, got {value!r}")
            out[key] = value
    return out


def resolve_policy(config: dict | None = None) -> dict:
    """The default policy with `config` merged in, validated."""
    policy = _merge(default_policy(), config or {}, "")
    for name in scanners.DIRECTIONS:
        known = scanners.known(name)
        for scanner in policy[name]:
            if scanner not in known:
                raise ConfigError(f"unknown {name} scanner {scanner!r} in guard policy (known: {', '.join(known)})")
    for channel, mode in [("mode", policy["mode"]), *policy["channel_modes"].items()]:
        if mode not in MODES:
            raise ConfigError(f"guard mode for {channel!r} must be 'enforce' or 'monitor', got {mode!r}")
    if policy["max_input_chars"] < 1:
        raise ConfigError("guard policy 'max_input_chars' must be at least 1")
    return policy


def load_policy(path: str | Path) -> dict:
    """A policy file over the default policy, validated."""
    return resolve_policy(read_policy_file(path))


def read_policy_file(path: str | Path) -> dict:
    """Read a policy file (.toml, .yaml/.yml or .json) as written, validated against the schema;
    a top-level [guard] table is accepted. Layer it over other settings with `resolve_policy`."""
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read guard policy {path}: {exc.strerror}") from exc
    try:
        if path.suffix == ".toml":
            import tomllib

            data = tomllib.loads(raw)
        elif path.suffix in (".yaml", ".yml"):
            from bot import safeyaml

            try:
                data = safeyaml.load(raw) or {}
            except safeyaml.YamlProblem as exc:
                where = f"{path}:{exc.line}" if exc.line else str(path)
                raise ConfigError(f"guard policy {where} is not valid yaml: {exc.message}") from None
        elif path.suffix == ".json":
            data = json.loads(raw)
        else:
            raise ConfigError(f"guard policy {path} must end in .toml, .yaml, .yml or .json")
    except ConfigError:
        raise
    except Exception as exc:  # noqa: BLE001 - parser errors vary by format
        raise ConfigError(f"guard policy {path} is not valid {path.suffix[1:]}: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"guard policy {path} must be a table of settings")
    if set(data) == {"guard"} and isinstance(data["guard"], dict):
        data = data["guard"]
    resolve_policy(data)  # raises ConfigError naming the bad key or value
    return data
