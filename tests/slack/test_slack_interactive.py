"""The /helpbot slash command (ask, help, admin commands) and feedback button clicks."""

from __future__ import annotations

import json

import pytest
from slack_helpers import ADMIN_IN_CONFIG, strings_in

from bot import strings

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_slash_ask_answers_ephemerally_through_response_url(harness):
    assert await harness.command("ask How do I invite a teammate to my workspace?") == 200
    [resp] = await harness.fake.wait_calls("response_url")
    assert resp.path == "/respond/cmd-UALICE"
    assert resp.args["response_type"] == "ephemeral"
    assert "Settings → Members" in resp.args["blocks"][0]["text"]["text"]
    assert not harness.fake.calls_to("chat.postMessage")


async def test_slash_help_and_empty_ask(harness):
    await harness.command("help")
    await harness.command("ask", user="UBOB")
    calls = await harness.fake.wait_calls("response_url", 2)
    by_user = {c.path.rsplit("-", 1)[1]: c.args["text"] for c in calls}
    assert "/helpbot ask &lt;question&gt;" in by_user["UALICE"] and "Pebble Notes" in by_user["UALICE"]
    assert "/helpbot ask &lt;your question about Pebble Notes&gt;" in by_user["UBOB"]


async def test_admin_command_from_a_non_admin_is_refused_and_logged(harness, helpbot, caplog):
    harness.fake.users["UALICE"] = {"is_admin": False, "is_owner": False}
    with caplog.at_level("WARNING", logger="helpbot.admin"):
        await harness.command("reload --dry-run")
        [resp] = await harness.fake.wait_calls("response_url")
    assert resp.args["text"] == strings.ADMIN_ONLY and resp.args["response_type"] == "ephemeral"
    assert any("refused admin command 'reload' from slack:UALICE" in r.getMessage() for r in caplog.records)
    row = next(helpbot.audit.db.query("select * from audit order by id desc limit 1"))
    assert row["platform"] == "slack" and row["route"] == "admin"
    assert json.loads(row["reasons"]) == ["admin.reload", "admin.denied"]
    [info] = harness.fake.calls_to("users.info")
    assert info.args["user"] == "UALICE"


@pytest.mark.parametrize("user, profile", [("UOWNER", {"is_owner": True}), ("UWSADMIN", {"is_admin": True}), (ADMIN_IN_CONFIG, None)])
async def test_admin_command_from_an_admin_runs(harness, helpbot, user, profile):
    from bot.ops import admin

    if profile is not None:
        harness.fake.users[user] = profile
    await harness.command("status", user=user)
    [resp] = await harness.fake.wait_calls("response_url")
    expected = await admin.run_admin(helpbot, "status", [], who="test")
    assert expected.text.splitlines()[0][:20] in "\n".join(strings_in(resp.args)).replace("&amp;", "&")
    assert resp.args["text"] != strings.ADMIN_ONLY
    if profile is None:
        assert not harness.fake.calls_to("users.info"), "configured admins need no lookup"
    row = next(helpbot.audit.db.query("select reasons from audit order by id desc limit 1"))
    assert json.loads(row["reasons"])[0] == "admin.status"


async def test_unknown_subcommand(harness):
    await harness.command("frobnicate <!here>")
    [resp] = await harness.fake.wait_calls("response_url")
    assert "frobnicate" in resp.args["text"] and "<!here>" not in resp.args["text"]


async def test_feedback_click_is_stored_against_the_audit_row(harness, helpbot):
    await harness.mention("How do I export my notes?")
    [post] = await harness.fake.wait_calls("chat.postMessage")
    actions = next(b for b in post.args["blocks"] if b["type"] == "actions")
    helpful = next(e for e in actions["elements"] if e["action_id"] == "helpbot_feedback_helpful")
    ref = json.loads(helpful["value"])["ref"]
    audit_row = helpbot.audit.db["audit"].get(ref)
    assert audit_row["platform"] == "slack" and audit_row["source"] == "export-notes"

    assert await harness.click("helpbot_feedback_helpful", helpful["value"], user="UBOB") == 200
    [thanks] = await harness.fake.wait_calls("response_url")
    assert thanks.args == {"text": strings.FEEDBACK_THANKS, "response_type": "ephemeral", "replace_original": False}
    rows = list(helpbot.audit.db.query("select * from feedback where message_ref = ?", [str(ref)]))
    assert len(rows) == 1
    assert (rows[0]["platform"], rows[0]["value"], rows[0]["route"], rows[0]["source"]) == ("slack", "helpful", "answer", "export-notes")
    assert rows[0]["user_hash"] == helpbot.audit.user_hash("slack", "UBOB")

    # a second click on the same button by the same person is acknowledged but not counted twice
    await harness.click("helpbot_feedback_helpful", helpful["value"], user="UBOB")
    await harness.fake.wait_calls("response_url", 2)
    assert len(list(helpbot.audit.db.query("select id from feedback where message_ref = ?", [str(ref)]))) == 1


async def test_should_have_been_answered_click_on_a_refusal(harness, helpbot):
    await harness.mention("What is the capital of France?")
    [eph] = await harness.fake.wait_calls("chat.postEphemeral")
    actions = next(b for b in eph.args["blocks"] if b["type"] == "actions")
    button = next(e for e in actions["elements"] if e["action_id"] == "helpbot_feedback_should_have_answered")
    await harness.click(button["action_id"], button["value"])
    await harness.fake.wait_calls("response_url")
    ref = json.loads(button["value"])["ref"]
    row = next(helpbot.audit.db.query("select value, route from feedback where message_ref = ?", [str(ref)]))
    assert row == {"value": "should_have_answered", "route": "refuse"}


async def test_a_forged_feedback_value_is_ignored(harness, helpbot):
    before = helpbot.audit.db["feedback"].count
    assert await harness.click("helpbot_feedback_helpful", "not json") == 200
    await harness.command("help")  # a later request completes: the click has been handled by then
    await harness.fake.wait_calls("response_url")
    assert [c.path for c in harness.fake.calls_to("response_url")] == ["/respond/cmd-UALICE"]
    assert helpbot.audit.db["feedback"].count == before


async def test_policy_takes_a_slack_channel_reference(harness, helpbot):
    from bot.ops.policy import channel_mode, set_channel_mode

    try:
        await harness.command("policy <#C42|support> monitor", user=ADMIN_IN_CONFIG)
        [resp] = await harness.fake.wait_calls("response_url")
        assert "C42" in resp.args["text"] and channel_mode(helpbot, "C42") == "monitor"
    finally:
        set_channel_mode(helpbot, "C42", None)
