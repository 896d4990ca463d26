"""Extension points found by name, as `llm` plugins are: guard scanners, LLM backends, embedders.

A built-in is a class in its stage's folder (`bot/guard/scanners/`, `bot/llm/backends/`) that sets
its own `name`; a third-party package adds one through an entry point in its pyproject.toml:

    [project.entry-points."helpbot.scanners"]
    shouting = "helpbot_shouting:ShoutingScanner"

Groups: `helpbot.scanners`, `helpbot.llm_backends`, `helpbot.embedders`. Nothing is registered by
importing a module: `load(kind)` looks once and caches; `clear()` forgets (tests, after installing).
"""

from __future__ import annotations

import importlib
import importlib.metadata
import pkgutil
from functools import lru_cache

from bot.errors import ConfigError

# kind -> (entry point group, package holding the built-ins or None)
KINDS = {
    "scanners": ("helpbot.scanners", "bot.guard.scanners"),
    "llm_backends": ("helpbot.llm_backends", "bot.llm.backends"),
    "embedders": ("helpbot.embedders", None),
}


def _builtins(package: str) -> dict[str, object]:
    found: dict[str, object] = {}
    for info in sorted(pkgutil.iter_modules(importlib.import_module(package).__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{package}.{info.name}")
        for obj in vars(module).values():
            if isinstance(obj, type) and obj.__module__ == module.__name__ and isinstance(vars(obj).get("name"), str):
                found[obj.name] = obj
    return found


@lru_cache(maxsize=None)
def load(kind: str) -> dict[str, object]:
    """name -> class (or factory) of every `kind` available: the built-ins, then entry points."""
    group, package = KINDS[kind]
    found = _builtins(package) if package else {}
    for ep in importlib.metadata.entry_points(group=group):
        if ep.name in found:
            raise ConfigError(f"two {group} entry points are named {ep.name!r} ({ep.value} and another): "
                              "uninstall one of the packages")
        try:
            found[ep.name] = ep.load()
        except Exception as exc:  # noqa: BLE001 - a broken plugin is named, not a traceback
            raise ConfigError(f"entry point {group}:{ep.name} = {ep.value} failed to load "
                              f"({type(exc).__name__}: {exc}); fix or uninstall that package") from None
    return found


def clear() -> None:
    """Forget what was found (after installing or removing a package in this process)."""
    importlib.invalidate_caches()
    load.cache_clear()
