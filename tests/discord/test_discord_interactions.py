"""Slash commands and buttons through the real discord.py client and the loopback fake Discord."""

from __future__ import annotations

import re

from fake_discord import ADMIN, ADMIN_ROLE_ID, ALICE, APP_ID, ROLE_ADMIN

from bot import strings
from bot.messages import Message, Reply

EPHEMERAL = 64
QUESTION = "How do I invite someone to my workspace?"


def audit_row(helpbot, audit_id: int) -> dict:
    return helpbot.audit.db["audit"].get(audit_id)


def footer_ref(embed: dict) -> int:
    return int(re.search(r"ref (\d+)$", embed["footer"]["text"]).group(1))


def custom_ids(message_body: dict) -> list[str]:
    return [c["custom_id"] for row in message_body.get("components", []) for c in row["components"]]


async def test_ask_in_channel_defers_then_answers_with_embed_and_buttons(helpbot, start_bot):
    async with start_bot(helpbot) as (fake, client):
        ask = fake.slash("ask", {"question": QUESTION}, author=ALICE)
        await fake.dispatch("INTERACTION_CREATE", ask)
        callback = await fake.callback_for(ask)
        assert callback.json == {"type": 5}  # deferred, public
        body = (await fake.followup_for(ask)).json
    assert body["allowed_mentions"] == {"parse": []}
    assert not body.get("flags", 0) & EPHEMERAL
    (embed,) = body["embeds"]
    assert "Invite members" in embed["description"]
    assert embed["url"] == "https://help.tasklane.example/members/invite"
    assert "https://help.tasklane.example/members/invite" in embed["fields"][0]["value"]
    ref = footer_ref(embed)
    assert custom_ids(body) == [f"hb:fb:helpful:{ref}", f"hb:fb:not_helpful:{ref}"]
    row = audit_row(helpbot, ref)
    assert (row["platform"], row["route"], row["source"]) == ("discord", "answer", "invite-member")
    assert row["conversation"] == f"discord:{ask['channel_id']}:{ALICE['id']}"
    assert not fake.find("DELETE", r".*")  # nothing to remove on a public answer


async def test_private_ask_is_ephemeral_from_the_start(helpbot, start_bot):
    async with start_bot(helpbot) as (fake, client):
        ask = fake.slash("ask", {"question": QUESTION, "private": True}, author=ALICE)
        await fake.dispatch("INTERACTION_CREATE", ask)
        assert (await fake.callback_for(ask)).json == {"type": 5, "data": {"flags": EPHEMERAL}}
        body = (await fake.followup_for(ask)).json
    assert body["flags"] & EPHEMERAL
    assert body["embeds"] and body["allowed_mentions"] == {"parse": []}


async def test_refusal_is_ephemeral_with_should_have_answered_button(helpbot, start_bot):
    async with start_bot(helpbot) as (fake, client):
        ask = fake.slash("ask", {"question": "Write me a poem about the sea"}, author=ALICE)
        await fake.dispatch("INTERACTION_CREATE", ask)
        body = (await fake.followup_for(ask)).json
        # the public "thinking" message was removed first, so the refusal can be ephemeral
        assert fake.find("DELETE", rf"/webhooks/{APP_ID}/{ask['token']}/messages/@original")
    assert body["flags"] & EPHEMERAL
    assert body["content"].startswith("Sorry, I can only help with questions about Tasklane")
    (button,) = custom_ids(body)
    assert re.fullmatch(r"hb:fb:should_have_answered:\d+", button)


async def test_everyone_injection_pings_nobody(helpbot, start_bot):
    question = f"@everyone @here <@&{ADMIN_ROLE_ID}> <@{ALICE['id']}> {QUESTION}"
    async with start_bot(helpbot) as (fake, client):
        assert client.allowed_mentions.to_dict() == {"parse": []}
        ask = fake.slash("ask", {"question": question}, author=ALICE)
        await fake.dispatch("INTERACTION_CREATE", ask)
        await fake.followup_for(ask)
        sent = fake.find("POST", r"/webhooks/.*") + fake.find("POST", r"/channels/\d+/messages")
    assert sent and all(r.json["allowed_mentions"]["parse"] == [] for r in sent)
    assert all("users" not in r.json["allowed_mentions"] and "roles" not in r.json["allowed_mentions"] for r in sent)


async def test_feedback_click_is_stored_and_acknowledged_ephemerally(helpbot, start_bot):
    async with start_bot(helpbot) as (fake, client):
        ask = fake.slash("ask", {"question": QUESTION}, author=ALICE)
        await fake.dispatch("INTERACTION_CREATE", ask)
        followup = await fake.followup_for(ask)
        message = fake.messages[max(fake.messages)]  # the answer as Discord stored it
        helpful = custom_ids(followup.json)[0]
        click = fake.click(message, helpful, author=ADMIN)
        await fake.dispatch("INTERACTION_CREATE", click)
        ack = await fake.callback_for(click)
    assert ack.json["type"] == 4
    assert ack.json["data"]["content"] == strings.FEEDBACK_THANKS
    assert ack.json["data"]["flags"] == EPHEMERAL
    audit_id = int(helpful.rsplit(":", 1)[1])
    rows = list(helpbot.audit.db["feedback"].rows_where("message_ref = ?", [str(audit_id)]))
    assert [(r["platform"], r["value"], r["route"], r["source"]) for r in rows] == [
        ("discord", "helpful", "answer", "invite-member")
    ]
    assert rows[0]["user_hash"] == helpbot.audit.user_hash("discord", ADMIN["id"])


async def test_feedback_buttons_work_after_a_restart(helpbot, start_bot):
    """A click on a message sent by an earlier process: only the custom_id carries the audit id."""
    audit_id = helpbot.audit.record(Message("old question", platform="discord"), Reply("unknown", "old answer"))
    async with start_bot(helpbot) as (fake, client):
        button = {"type": 2, "style": 2, "label": "x", "custom_id": f"hb:fb:should_have_answered:{audit_id}"}
        message = fake.store_message({"content": "old answer", "components": [{"type": 1, "components": [button]}]})
        click = fake.click(message, button["custom_id"], author=ALICE)
        await fake.dispatch("INTERACTION_CREATE", click)
        assert (await fake.callback_for(click)).json["data"]["flags"] == EPHEMERAL
    (row,) = helpbot.audit.db["feedback"].rows_where("message_ref = ?", [str(audit_id)])
    assert (row["value"], row["route"]) == ("should_have_answered", "unknown")


async def test_help_is_private_and_lists_commands(helpbot, start_bot):
    async with start_bot(helpbot) as (fake, client):
        cmd = fake.slash("help", author=ALICE)
        await fake.dispatch("INTERACTION_CREATE", cmd)
        assert (await fake.callback_for(cmd)).json == {"type": 5, "data": {"flags": EPHEMERAL}}
        body = (await fake.followup_for(cmd)).json
    assert body["flags"] & EPHEMERAL
    assert "I answer questions about Tasklane" in body["content"]
    assert "/ask" in body["content"]


async def test_pipeline_exception_gives_friendly_error_and_bot_keeps_working(helpbot, start_bot, monkeypatch):
    real, calls = helpbot.handle, []

    async def flaky(message, progress=None):
        calls.append(message)
        if len(calls) == 1:
            raise RuntimeError("boom in the pipeline")
        return await real(message, progress)

    monkeypatch.setattr(helpbot, "handle", flaky)
    async with start_bot(helpbot) as (fake, client):
        first = fake.slash("ask", {"question": QUESTION}, author=ALICE)
        await fake.dispatch("INTERACTION_CREATE", first)
        error = (await fake.followup_for(first)).json
        second = fake.slash("ask", {"question": QUESTION}, author=ALICE)
        await fake.dispatch("INTERACTION_CREATE", second)
        answer = (await fake.followup_for(second)).json
    assert error["content"] == strings.ERROR and error["flags"] & EPHEMERAL
    assert error["allowed_mentions"] == {"parse": []}
    assert answer["embeds"] and "Invite members" in answer["embeds"][0]["description"]
    rows = list(helpbot.audit.db["audit"].rows_where("reasons like ?", ['%"error.discord"%']))
    assert any(r["text_redacted"] == f"/ask question:{QUESTION}" and r["platform"] == "discord" for r in rows)


async def test_admin_status_for_admin_user_and_admin_role(helpbot, start_bot):
    async with start_bot(helpbot) as (fake, client):
        by_id = fake.slash("helpbot", sub="status", author=ADMIN)
        by_role = fake.slash("helpbot", sub="status", author=ROLE_ADMIN, roles=[ADMIN_ROLE_ID])
        for cmd in (by_id, by_role):
            await fake.dispatch("INTERACTION_CREATE", cmd)
            assert (await fake.callback_for(cmd)).json == {"type": 5, "data": {"flags": EPHEMERAL}}
            body = (await fake.followup_for(cmd)).json
            assert body["flags"] & EPHEMERAL
            assert body["content"] and body["content"] != strings.ADMIN_ONLY
            assert body["content"] != strings.ERROR
    rows = list(helpbot.audit.db["audit"].rows_where("text_redacted = ?", ["/helpbot status"]))
    assert len(rows) >= 2 and all(r["route"] == "admin" and r["platform"] == "discord" for r in rows)


async def test_admin_reload_dry_run_and_policy(helpbot, start_bot):
    async with start_bot(helpbot) as (fake, client):
        reload = fake.slash("helpbot", {"dry_run": True}, sub="reload", author=ADMIN)
        await fake.dispatch("INTERACTION_CREATE", reload)
        dry = (await fake.followup_for(reload)).json
        monitor = fake.slash("helpbot", {"mode": "monitor"}, sub="policy", author=ADMIN)
        await fake.dispatch("INTERACTION_CREATE", monitor)
        set_text = (await fake.followup_for(monitor)).json["content"]
        default = fake.slash("helpbot", {"mode": "default"}, sub="policy", author=ADMIN)
        await fake.dispatch("INTERACTION_CREATE", default)
        reset_text = (await fake.followup_for(default)).json["content"]
    assert dry["content"].startswith("Dry run (nothing changed)") and dry["flags"] & EPHEMERAL
    assert set_text == strings.POLICY_SET.format(channel=monitor["channel_id"], mode="monitor")
    assert reset_text.startswith(f"Channel {monitor['channel_id']} now uses the default guard mode")
    (row,) = helpbot.audit.db["audit"].rows_where("text_redacted = ?", ["/helpbot policy mode:monitor"])
    assert row["reasons"] == '["admin.policy", "admin.ok"]'


async def test_admin_command_refused_for_non_admin(helpbot, start_bot, caplog):
    async with start_bot(helpbot) as (fake, client):
        cmd = fake.slash("helpbot", {"dry_run": True}, sub="reload", author=ALICE)
        await fake.dispatch("INTERACTION_CREATE", cmd)
        callback = await fake.callback_for(cmd)
    assert callback.json["type"] == 4  # answered at once, no reload was started
    assert callback.json["data"]["content"] == strings.ADMIN_ONLY
    assert callback.json["data"]["flags"] == EPHEMERAL
    assert any("refused admin command 'reload'" in r.getMessage() for r in caplog.records)
    (row,) = helpbot.audit.db["audit"].rows_where(
        "text_redacted = ? and reasons like ?", ["/helpbot reload dry_run:True", '%admin.denied%']
    )
    assert row["user_hash"] == helpbot.audit.user_hash("discord", ALICE["id"])


async def test_commands_synced_to_the_development_guild(helpbot, start_bot):
    async with start_bot(helpbot) as (fake, client):
        (sync,) = fake.find("PUT", rf"/applications/{APP_ID}/guilds/\d+/commands")
    names = {c["name"]: c for c in sync.json}
    assert set(names) == {"ask", "help", "helpbot", "Save as FAQ"}
    menu = names["Save as FAQ"]  # a message context-menu command, for server managers by default
    assert menu["type"] == 3 and int(menu["default_member_permissions"]) == 1 << 5
    assert names["ask"]["description"] == "Ask a question and get an answer with its sources."
    question = names["ask"]["options"][0]
    assert (question["name"], question["required"], question["description"]) == ("question", True, "Your question, in plain words")
    admin = names["helpbot"]
    assert int(admin["default_member_permissions"]) == 1 << 5  # manage_guild
    assert {o["name"] for o in admin["options"]} == {"reload", "stats", "status", "policy"}
    assert not fake.find("PUT", rf"/applications/{APP_ID}/commands")
