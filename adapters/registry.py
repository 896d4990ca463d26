"""Platforms by name: the `helpbot.adapters` entry point group, read when asked (no import-time list).

helpbot's own platforms (console, slack, discord) are declared in its pyproject.toml exactly as a
third-party package declares one:

    [project.entry-points."helpbot.adapters"]
    echo = "helpbot_echo:EchoAdapter"   # a subclass of adapters.base.Adapter
"""

from __future__ import annotations

from importlib.metadata import entry_points

from bot.errors import HelpbotError

GROUP = "helpbot.adapters"
BUILT_IN = ("console", "slack", "discord")


def names() -> list[str]:
    """The registered platform names, sorted (nothing is imported)."""
    return sorted({ep.name for ep in entry_points(group=GROUP)})


def load(name: str):
    """The adapter class registered as `name`; an unknown name is a HelpbotError naming the fix."""
    found = list({ep.value: ep for ep in entry_points(group=GROUP) if ep.name == name}.values())
    if not found:
        known = names()
        fix = (f"install helpbot again (pip install -e .) so its {GROUP} entry points are registered"
               if name in BUILT_IN else f"install the package that provides it (it registers under the {GROUP} entry point group)")
        raise HelpbotError(f"no chat platform named {name!r} (known: {', '.join(known) or 'none'}): {fix}")
    if len(found) > 1:
        where = ", ".join(sorted(ep.value for ep in found))
        raise HelpbotError(f"two packages register the platform {name!r} ({where}): uninstall one of them")
    try:
        adapter = found[0].load()
    except ImportError as exc:
        raise HelpbotError(f"the platform {name!r} cannot be imported ({exc}): reinstall the package that provides it") from None
    from adapters.base import Adapter

    if not (isinstance(adapter, type) and issubclass(adapter, Adapter)):
        raise HelpbotError(f"{found[0].value} (platform {name!r}) is not an adapters.base.Adapter subclass: fix that package")
    return adapter
