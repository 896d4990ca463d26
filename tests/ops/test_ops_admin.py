"""The admin dispatcher every adapter calls: reload, stats, status, policy, help, unknown."""

from __future__ import annotations

import json

from bot import strings
from bot.ops.admin import AdminResult, run_admin
from bot.ops.policy import channel_mode, channel_modes
from ops_helpers import seed_audit


async def test_status_reports_knowledge_calibration_and_last_reload(module_bot):
    result = await run_admin(module_bot, "status", [], who="slack:U1")
    assert isinstance(result, AdminResult) and result.ok
    snap = module_bot.snapshot
    assert f"serving {snap.kb.service}" in result.text
    assert snap.kb.fingerprint in result.text
    assert f"{snap.calibration.answer_threshold:.3f}" in result.text
    assert result.data["faq_entries"] + result.data["doc_sections"] == len(snap.kb.chunks)

    await run_admin(module_bot, "reload", [], who="slack:U1")
    again = await run_admin(module_bot, "STATUS", [], who="slack:U1")
    assert again.data["last_reload"]["who"] == "slack:U1" and again.data["last_reload"]["ok"] == 1
    assert "by slack:U1: ok" in again.text


async def test_reload_and_dry_run_through_admin(module_bot):
    live = module_bot.snapshot
    dry = await run_admin(module_bot, "reload", ["--dry-run"], who="discord:42")
    assert dry.ok and dry.text.startswith("Dry run") and dry.data["dry_run"] is True
    assert module_bot.snapshot is live
    also_dry = await run_admin(module_bot, "reload", ["dry_run"], who="discord:42")
    assert also_dry.ok and also_dry.data["dry_run"] is True
    bad = await run_admin(module_bot, "reload", ["--force"], who="discord:42")
    assert not bad.ok and "Usage: reload [--dry-run]" in bad.text


async def test_policy_show_set_and_reset_per_channel(module_bot):
    shown = await run_admin(module_bot, "policy", [], who="admin")
    assert shown.ok and "guard mode: enforce" in shown.text and shown.data["mode"] == "enforce"

    assert channel_mode(module_bot, "C42") == "enforce"
    set_ = await run_admin(module_bot, "policy", ["C42", "monitor"], who="admin")
    assert set_.ok and set_.text == strings.POLICY_SET.format(channel="C42", mode="monitor")
    assert channel_mode(module_bot, "C42") == "monitor"
    assert channel_mode(module_bot, "C43") == "enforce"
    listed = await run_admin(module_bot, "policy", [], who="admin")
    assert "channel C42: monitor" in listed.text and listed.data["channels"] == {"C42": "monitor"}

    reset = await run_admin(module_bot, "policy", ["C42", "default"], who="admin")
    assert reset.ok and channel_mode(module_bot, "C42") == "enforce"
    assert "C42" not in channel_modes(module_bot)

    bad = await run_admin(module_bot, "policy", ["C42", "off"], who="admin")
    assert not bad.ok and "enforce|monitor" in bad.text
    assert channel_mode(module_bot, "C42") == "enforce"


async def test_stats_command_counts_routes_and_groups_gaps(fresh_bot):
    seeded = seed_audit(fresh_bot.audit.db, days=3, per_day=20)
    result = await run_admin(fresh_bot, "stats", ["--days", "7"], who="admin")
    assert result.ok
    assert result.data["routes"] == seeded["routes"]
    assert result.text.startswith("Last 7 days: 60 messages")
    assert "Coverage gaps" in result.text
    assert (await run_admin(fresh_bot, "stats", ["2"], who="admin")).data["days"] == 2
    bad = await run_admin(fresh_bot, "stats", ["--days", "soon"], who="admin")
    assert not bad.ok and "stats [--days N]" in bad.text


async def test_unknown_command_and_help(module_bot):
    unknown = await run_admin(module_bot, "explode", [], who="admin")
    assert not unknown.ok and "explode" in unknown.text and strings.ADMIN_HELP in unknown.text
    empty = await run_admin(module_bot, "", [], who="admin")
    assert not empty.ok
    help_ = await run_admin(module_bot, "help", [], who="admin")
    assert help_.ok and help_.text == strings.ADMIN_HELP


async def test_admin_command_audits_allowed_and_refused_alike_for_every_platform(module_bot):
    from bot import strings
    from bot.messages import Message
    from bot.ops.admin import admin_command

    rows = []
    for platform in ("slack", "discord", "console"):
        for allowed in (False, True):
            message = Message(f"/helpbot status ({platform})", platform=platform, user_id="U1", channel_id="C1")
            result = await admin_command(module_bot, message, "status", [], allowed)
            assert (result.text == strings.ADMIN_ONLY) is (not allowed) and result.ok is allowed
            rows.append(next(module_bot.audit.db.query("select * from audit where id = ?", [result.audit_id])))
    assert [json.loads(r["reasons"]) for r in rows] == [["admin.status", "admin.denied"], ["admin.status", "admin.ok"]] * 3
    assert {(r["platform"], r["route"]) for r in rows} == {(p, "admin") for p in ("slack", "discord", "console")}
    failed = await admin_command(module_bot, Message("x", platform="slack", user_id="U1"), "reload", ["--force"], True)
    unknown = await admin_command(module_bot, Message("x", platform="slack", user_id="U1"), "explode", [], True)
    reasons = [json.loads(next(module_bot.audit.db.query("select reasons from audit where id = ?", [r.audit_id]))["reasons"])
               for r in (failed, unknown)]
    assert reasons == [["admin.reload", "admin.failed"], ["admin.unknown", "admin.failed"]]


def test_listed_admin_takes_plain_and_platform_prefixed_ids():
    from bot.ops.admin import listed_admin

    assert listed_admin("U1", "slack", ["U1"], [])
    assert listed_admin("U1", "slack", [], ["slack:U1"])
    assert not listed_admin("U1", "slack", ["discord:U1"], ["U2"])
    assert listed_admin("Team: Leads", "discord", ["Team: Leads"]) and not listed_admin("Leads", "discord", ["Team: Leads"])
