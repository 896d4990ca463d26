"""One scanner per module. Adding one is one file here (or an entry point in the
`helpbot.scanners` group of another package): a `Scanner` subclass that sets `name`, `order`,
`defaults` and `replies` (see bot/guard/base.py). Everything else derives from the registry:
the policy defaults, the default input/output lists, the block replies, the docs table.
"""

from __future__ import annotations

from functools import lru_cache

from bot import plugins
from bot.errors import ConfigError
from bot.guard.base import Scanner

DIRECTIONS = ("input", "output")


@lru_cache(maxsize=1)
def _checked(found: tuple) -> dict[str, type[Scanner]]:
    out = {}
    for name, cls in found:
        if not (isinstance(cls, type) and issubclass(cls, Scanner)):
            raise ConfigError(f"guard scanner {name!r} ({cls!r}) is not a bot.guard.base.Scanner subclass")
        if cls.name != name:
            raise ConfigError(f"guard scanner entry point {name!r} names a class whose name is {cls.name!r}: "
                              "make them the same")
        if not cls.order or set(cls.order) - set(DIRECTIONS):
            raise ConfigError(f"guard scanner {name!r}: set `order` to a dict of direction (input, output) -> position")
        out[name] = cls
    return out


def scanners() -> dict[str, type[Scanner]]:
    """name -> Scanner class: the built-ins in this folder, then entry points."""
    return _checked(tuple(plugins.load("scanners").items()))


def scanner_class(name: str) -> type[Scanner]:
    return scanners()[name]


def known(direction: str) -> list[str]:
    """Every scanner that can run in `direction`, in default order."""
    found = [cls for cls in scanners().values() if direction in cls.order]
    return [cls.name for cls in sorted(found, key=lambda c: (c.order[direction], c.name))]


def default_list(direction: str) -> list[str]:
    return [name for name in known(direction) if scanner_class(name).default_on]


def reply_table() -> dict[str, str]:
    """Reason code or prefix -> block reply, from every scanner's `replies` (built once per scanner set)."""
    return _reply_table(tuple(scanners().values()))


@lru_cache(maxsize=1)
def _reply_table(classes: tuple[type[Scanner], ...]) -> dict[str, str]:
    table: dict[str, str] = {}
    for cls in classes:
        for reason, text in cls.replies.items():
            if table.setdefault(reason, text) != text:
                raise ConfigError(f"guard scanners disagree on the block reply for {reason!r}: "
                                  f"{cls.name!r} says {text!r}, another {table[reason]!r}")
    return table


def reply_for(reasons: list[str]) -> str | None:
    """The block reply of the first reason that a scanner declared one for (longest prefix wins)."""
    table = reply_table()
    for reason in reasons:
        hits = [k for k in table if reason == k or reason.startswith(k + ".")]
        if hits:
            return table[max(hits, key=len)]
    return None


def docs_table() -> str:
    """The markdown table of docs/guard.md's "Scanner registry" section."""
    rows = ["| scanner | runs on (position) | policy table: defaults | block reply for |", "| --- | --- | --- | --- |"]
    for name in sorted(scanners()):
        cls = scanner_class(name)
        runs = ", ".join(f"{d} ({p})" for d, p in sorted(cls.order.items()))
        if not cls.default_on:
            runs += ", off by default"
        table = cls.policy_table()
        settings = f"`{table}`: " + ", ".join(f"{k}={v!r}" for k, v in cls.defaults.items()) if table else "-"
        replies = ", ".join(f"`{k}`" for k in cls.replies) or "-"
        rows.append(f"| {name} | {runs} | {settings} | {replies} |")
    return "\n".join(rows)
