"""The /helpbot slash command: `ask <question>`, `help`, and the admin commands.

Bolt has already acknowledged the command; everything here answers through the command's
response_url (`response_url.ResponseUrl`, rate limits waited out), always ephemerally, since the
question itself is not shown to others. Admin commands are run and audited by bot/ops/admin.py.
"""

from __future__ import annotations

import logging
import re

from adapters.live import LivePreview
from adapters.slack.format import escape, preview_mrkdwn, reply_blocks, text_blocks, to_plain
from adapters.slack.response_url import ResponseUrl
from bot import strings
from bot.messages import Message, Reply
from bot.ops.admin import admin_command

log = logging.getLogger("helpbot.slack")

ADMIN_COMMANDS = ("reload", "stats", "status", "policy")
_REF = re.compile(r"^<[#@]([A-Z0-9]+)(\|[^>]*)?>$")  # <#C123|general>, <@U123|ann>: escaped command text


def admin_args(rest: str) -> list[str]:
    """Command words, with Slack channel/user references turned into their ids (`policy <#C1|x> monitor`)."""
    return [m.group(1) if (m := _REF.match(word)) else word for word in rest.split()]


async def handle_command(adapter, body: dict, respond) -> None:
    command = body.get("command") or adapter.conf["command"]
    text = (body.get("text") or "").strip()
    sub, _, rest = text.partition(" ")
    sub = sub.lower()
    try:
        if sub in ("", "help"):
            await _say(respond, strings.SLACK_COMMAND_HELP.format(command=command, service=adapter.bot.service))
        elif sub == "ask":
            await _ask(adapter, body, to_plain(rest, adapter.identity.user_id), respond, command)
        elif sub in ADMIN_COMMANDS:
            await _admin(adapter, body, sub, admin_args(rest), respond, command)
        else:
            await _say(respond, strings.SLACK_UNKNOWN_COMMAND.format(sub=sub[:40], command=command))
    except Exception:  # noqa: BLE001 - one failing command never stops the app
        log.exception("slack: %s %s failed", command, sub)
        await _say(respond, strings.ERROR)


async def _say(respond, text: str) -> None:
    """An ephemeral notice; `text` is escaped, so `<question>` and user input show literally."""
    await respond(text=escape(text), response_type="ephemeral", replace_original=False)


async def _ask(adapter, body: dict, question: str, respond, command: str) -> None:
    if not question:
        await _say(respond, strings.SLACK_ASK_EMPTY.format(command=command, service=adapter.bot.service))
        return
    user, channel = body["user_id"], body["channel_id"]
    message = await adapter.message(question, user, channel, f"command:{user}")
    # Previews never wait out a rate limit (a lost preview is cosmetic); the answer does.
    preview = ResponseUrl(body["response_url"], max_rate_limit_wait_s=0)

    async def post(text: str) -> bool:
        await preview(text=preview_mrkdwn(text), response_type="ephemeral", replace_original=False)
        return True

    async def edit(_: bool, text: str) -> None:
        await preview(text=preview_mrkdwn(text), response_type="ephemeral", replace_original=True)

    # A response_url takes five uses: at most three for the preview, one for the answer.
    live = LivePreview(post, edit, adapter.conf["edit_interval_s"], max_updates=3)
    try:
        reply = await adapter.bot.handle(message, live)
    finally:
        await live.close()
    text, blocks = reply_blocks(reply)
    blocks = adapter.handoff.blocks_for(reply, blocks, channel, None)  # "Ask a person" (no message to link)
    await _deliver(adapter, respond, reply, channel, user, text=text, blocks=blocks, replace_original=live.shown)


async def _admin(adapter, body: dict, sub: str, args: list[str], respond, command: str) -> None:
    user, channel = body["user_id"], body["channel_id"]
    allowed = await adapter.admins.is_admin(user)
    message = Message(f"{command} {sub} {' '.join(args)}".strip(), platform="slack", user_id=user, channel_id=channel)
    result = await admin_command(adapter.bot, message, sub, args, allowed)
    if not allowed:
        await _say(respond, result.text)
        return
    text, blocks = text_blocks(result.text, code=True)
    reply = Reply("admin", result.text, audit_id=result.audit_id)
    await _deliver(adapter, respond, reply, channel, user, text=text, blocks=blocks, replace_original=False)


async def _deliver(adapter, respond, reply: Reply, channel: str, user: str, **message) -> None:
    """Post `reply` through the response_url; one Slack keeps refusing is a failed delivery
    (counted, `delivery.failed` on its audit row), and the user is told by an ephemeral message."""
    try:
        await respond(response_type="ephemeral", **message)
    except Exception as exc:  # noqa: BLE001
        await adapter.delivery_failed(reply, channel, exc)
        await adapter.tell_error(channel, user, None)
