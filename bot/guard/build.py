"""Build input / output guards from a policy (see policy.default_policy)."""

from __future__ import annotations

from bot.guard.policy import resolve_policy
from bot.guard.runner import GuardRunner
from bot.guard.scanners import scanner_class
from bot.guard.state import GuardState


def _build(direction: str, config: dict | None, state: GuardState | None) -> GuardRunner:
    policy = resolve_policy(config)
    names = list(policy[direction])
    if direction == "input" and policy["model_classifier"]["model"] and "model_classifier" not in names:
        names.append("model_classifier")
    if state is None:
        state = GuardState(policy["state"]["max_keys"], policy["state"]["max_history"])
    scanners = [scanner_class(name).from_policy(policy, state) for name in names]
    return GuardRunner(scanners, policy["mode"], policy["channel_modes"])


def build_input_guard(config: dict | None = None, state: GuardState | None = None) -> GuardRunner:
    """Scanners for user messages, in policy order ("input" list)."""
    return _build("input", config, state)


def build_output_guard(config: dict | None = None, state: GuardState | None = None) -> GuardRunner:
    """Scanners for the bot's replies ("output" list); pass a ScanContext with direction="output"."""
    return _build("output", config, state)
