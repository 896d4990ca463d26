"""The layer picture of docs/architecture.md holds: no import runs back up, no module is huge."""

from __future__ import annotations

import ast

from tests.conftest import REPO

# Bottom to top; a module may import its own layer and those below it.
LAYERS = ["base", "knowledge", "search", "guard", "routing", "llm", "prompts", "core", "ops", "handoff", "adapters", "dev", "cli"]
BASE = {"bot", "bot.config", "bot.errors", "bot.paths", "bot.strings", "bot.messages", "bot.plugins", "bot.safeyaml",
        "bot.language", "bot.strings_ja", "bot.i18n"}


def layer(module: str) -> str:
    if module in BASE:
        return "base"
    if module.startswith("adapters"):
        return "adapters"
    return module.split(".")[1]


def target_layer(target: str) -> str:
    """Of an imported name: `from bot import __version__` reaches `bot`, the base."""
    found = layer(target)
    return found if found in LAYERS else "base"


def modules():
    for root in ("bot", "adapters"):
        for path in sorted((REPO / root).rglob("*.py")):
            name = ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
            if name != "bot.__main__":
                yield name, path


def test_every_folder_is_a_known_layer():
    assert {layer(name) for name, _ in modules()} <= set(LAYERS)


def test_no_import_runs_back_up_the_layers():
    upward = []
    for name, path in modules():
        here = LAYERS.index(layer(name))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            for target in targets:
                if target.split(".")[0] in ("bot", "adapters") and LAYERS.index(target_layer(target)) > here:
                    upward.append(f"{path.relative_to(REPO)}:{node.lineno} imports {target}")
    assert not upward, "imports that run back up the layers (docs/architecture.md):\n" + "\n".join(sorted(set(upward)))


def test_no_module_over_about_500_lines():
    long = [f"{path.relative_to(REPO)}: {n}" for _, path in modules()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > 500]
    assert not long, long
