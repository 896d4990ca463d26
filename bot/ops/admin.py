"""Admin commands shared by every adapter: reload [--dry-run], stats [--days N], status, policy.

In: a command from a chat platform and the adapter's answer to "is this user an admin on my
platform". Out: text to show (plus `data` for structured use) and one audit row, written here for
every platform alike by `admin_command`. It never raises for bad input.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass, field

from bot import __version__, strings
from bot.errors import HelpbotError
from bot.messages import Message, Reply

log = logging.getLogger("helpbot.admin")


@dataclass
class AdminResult:
    ok: bool
    text: str
    data: dict = field(default_factory=dict)
    audit_id: int | None = None  # the audit row `admin_command` wrote


def _bad(problem: str, usage: str) -> AdminResult:
    return AdminResult(False, strings.ADMIN_BAD_ARGS.format(problem=problem, usage=usage))


async def _reload(bot, args: list[str], who: str) -> AdminResult:
    from bot.ops.reload import reload_knowledge

    flags = {a.lower().replace("_", "-").lstrip("-") for a in args}
    if flags - {"dry-run"}:
        return _bad(f"unknown option {' '.join(args)!r}", "reload [--dry-run]")
    result = await reload_knowledge(bot, who=who, dry_run="dry-run" in flags)
    return AdminResult(result.ok, result.summary(), result.to_dict())


def _days(args: list[str]) -> float | None:
    rest = [a for a in args if a not in ("--days", "-d")]
    if not rest:
        return 7.0
    text = rest[0].split("=", 1)[-1] if rest[0].startswith("--days=") else rest[0]
    try:
        days = float(text)
    except ValueError:
        return None
    return days if days > 0 and len(rest) == 1 else None


async def _stats(bot, args: list[str], who: str) -> AdminResult:
    from bot.ops.stats import compute_stats, format_stats

    days = _days(args)
    if days is None:
        return _bad(f"bad arguments {' '.join(args)!r}", "stats [--days N]")
    ops = bot.settings.ops
    stats = await asyncio.to_thread(
        compute_stats, bot.audit.store, days, bot.embedder, ops["gap_threshold"], ops["gap_limit"]
    )
    return AdminResult(True, format_stats(stats), stats)


def status_data(bot) -> dict:
    from bot.ops.policy import channel_modes
    from bot.ops.reload import is_reloading

    snap = bot.snapshot
    cal = snap.calibration
    try:
        last = bot.audit.store.execute(
            "select ts, who, ok, duration_ms from reloads where dry_run = 0 order by id desc limit 1"
        ).fetchone()
    except HelpbotError:  # the database is away: status still answers
        last = None
    return {
        "version": __version__,
        "service": snap.kb.service,
        "knowledge": str(snap.kb.root),
        "faq_entries": sum(1 for c in snap.kb.chunks if c.kind == "faq"),
        "doc_sections": sum(1 for c in snap.kb.chunks if c.kind == "doc"),
        "kb_fingerprint": snap.kb.fingerprint,
        "model": snap.model,
        "calibration": {"answer": cal.answer_threshold, "scope": cal.scope_threshold, "margin": cal.ambiguity_margin},
        "last_reload": dict(zip(("ts", "who", "ok", "duration_ms"), last)) if last else None,
        "reloading": is_reloading(bot),
        "guard_mode": bot.guard.mode,  # the settings with the policy file over them
        "guard_policy": bot.settings.guard["policy"] or "(built-in)",
        "channel_modes": channel_modes(bot),
        "knowledge_findings": [f.describe() for f in snap.findings],
    }


async def _status(bot, args: list[str], who: str) -> AdminResult:
    d = await asyncio.to_thread(status_data, bot)
    last = d["last_reload"]
    last_text = (
        f"{last['ts']} by {last['who']}: {'ok' if last['ok'] else 'FAILED'} ({last['duration_ms']:.0f} ms)"
        if last
        else "none since the audit log began"
    )
    cal = d["calibration"]
    lines = [
        f"helpbot {d['version']} serving {d['service']}",
        f"knowledge: {d['knowledge']} ({d['faq_entries']} FAQ entries, {d['doc_sections']} doc sections; "
        f"fingerprint {d['kb_fingerprint']})",
        f"model: {d['model']}",
        f"calibration: answer >= {cal['answer']:.3f}, in scope >= {cal['scope']:.3f}, margin {cal['margin']:.3f}",
        f"last reload: {last_text}" + (" (a reload is running now)" if d["reloading"] else ""),
        f"guard: mode {d['guard_mode']}, policy {d['guard_policy']}, {len(d['channel_modes'])} channel override(s)",
    ]
    if d["knowledge_findings"]:
        lines.append(strings.KNOWLEDGE_FINDINGS.format(count=len(d["knowledge_findings"])))
        lines += [f"  {f}" for f in d["knowledge_findings"][:10]]
    return AdminResult(True, "\n".join(lines), d)


async def _policy(bot, args: list[str], who: str) -> AdminResult:
    from bot.ops.policy import MODES, channel_modes, default_mode, set_channel_mode

    usage = "policy [<channel> enforce|monitor|default]"
    if not args:
        overrides = await asyncio.to_thread(channel_modes, bot)
        mode, policy = default_mode(bot), bot.settings.guard["policy"]
        lines = [f"guard mode: {mode}", f"guard policy: {policy or '(built-in)'}"]
        lines += [f"  channel {ch}: {m}" for ch, m in sorted(overrides.items())] or ["  no channel overrides"]
        return AdminResult(True, "\n".join(lines), {"mode": mode, "policy": policy, "channels": overrides})
    if len(args) != 2 or args[1].lower() not in (*MODES, "default"):
        return _bad(f"bad arguments {' '.join(args)!r}", usage)
    channel, mode = args[0], args[1].lower()
    await asyncio.to_thread(set_channel_mode, bot, channel, None if mode == "default" else mode)
    log.info("guard mode changed", extra={"event": "policy", "who": who, "channel": channel, "mode": mode})
    if mode == "default":
        return AdminResult(True, strings.POLICY_CLEARED.format(channel=channel, mode=default_mode(bot)), {"channel": channel, "mode": None})
    return AdminResult(True, strings.POLICY_SET.format(channel=channel, mode=mode), {"channel": channel, "mode": mode})


async def _help(bot, args: list[str], who: str) -> AdminResult:
    return AdminResult(True, strings.ADMIN_HELP)


COMMANDS = {"reload": _reload, "stats": _stats, "status": _status, "policy": _policy, "help": _help}


async def run_admin(bot, command: str, args: list[str], who: str) -> AdminResult:
    """Run one admin command for `who`, already checked to be an admin; no audit row (see `admin_command`)."""
    name = (command or "").strip().lower().lstrip("/")
    handler = COMMANDS.get(name)
    if handler is None:
        return AdminResult(False, strings.ADMIN_UNKNOWN.format(command=command, help=strings.ADMIN_HELP))
    log.info("admin command", extra={"event": "admin", "who": who, "command": name, "command_args": list(args)})
    try:
        return await handler(bot, list(args or []), who)
    except HelpbotError as exc:
        return AdminResult(False, str(exc))


def listed_admin(user_id: str, platform: str, *lists) -> bool:
    """Whether `user_id` is in one of the configured lists (e.g. `[slack] admins`, `[admin] users`);
    an entry may carry its platform ("slack:U123"); one for another platform does not count."""
    wanted = {str(user_id), f"{platform}:{user_id}"}
    return any(str(value).strip() in wanted for values in lists for value in values or ())


async def admin_command(bot, message: Message, command: str, args: list[str], allowed: bool) -> AdminResult:
    """An admin command from a chat platform, asked by `message`'s user. `allowed` is the adapter's
    answer to "is this user an admin on my platform"; a refusal is `strings.ADMIN_ONLY`. Either way one
    audit row (route `admin`, reasons `admin.<command>` then `admin.ok`, `admin.failed` or
    `admin.denied`), whose id the result carries."""
    name = (command or "").strip().lower().lstrip("/")
    who = f"{message.platform}:{message.user_id}"
    if allowed:
        result = await run_admin(bot, name, args, who)
        outcome = "admin.ok" if result.ok else "admin.failed"
    else:
        log.warning("refused admin command %r from %s: not an admin", name, who,
                    extra={"event": "admin_denied", "who": who, "command": name})
        result, outcome = AdminResult(False, strings.ADMIN_ONLY), "admin.denied"
    tag = f"admin.{name}" if name in COMMANDS else "admin.unknown"
    reply = Reply("admin", result.text, reasons=[tag, outcome], ephemeral=True)
    message = dataclasses.replace(message, is_admin=allowed)
    result.audit_id = await asyncio.to_thread(bot.audit.record, message, reply)
    return result
