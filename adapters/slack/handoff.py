"""Slack side of working alongside people: the "Ask a person" button, the post in the handoff
channel, people's answers in its thread, and "Save as FAQ" (a button on the handoff post and a
message shortcut on any message) with its modal. The records and the file writing are the core's
(bot/handoff/); everything shown here goes through `escape`, so no text can ping anyone.

Every listener acknowledges at once, except the modal's submission: it is checked and written
(milliseconds: one small file) before the ack, so a refusal shows its reason in the modal itself.
"""

from __future__ import annotations

import asyncio
import json
import logging

from slack_sdk.errors import SlackApiError

from adapters.slack.connect import NETWORK_ERRORS
from adapters.slack.format import escape, to_plain
from bot import strings
from bot.i18n import language_of, localize
from bot.handoff import HandoffDesk, channel_rules, offers_handoff
from bot.handoff.learn import (MAX_ID_CHARS, MAX_URL_CHARS, LearnedEntry, LearnedFaq, SaveRefused, parse_questions,
                               prefill, saved_text)
from bot.messages import Reply

log = logging.getLogger("helpbot.slack")

ASK_ACTION = "helpbot_ask_person"  # the button under a reply
SAVE_ACTION = "helpbot_save_faq"  # the button on the handoff post
SHORTCUT = "helpbot_save_faq"  # the message shortcut (callback_id in the manifests)
VIEW = "helpbot_save_faq"  # the modal
HANDOFF_BLOCK = "helpbot_handoff"
INPUT_MAX = 3000  # Slack's limit for a plain_text_input
FIELDS = ("questions", "answer", "id", "url")
MENTION = "\x00asker\x00"  # replaced by a real <@U..> mention after escaping


def _value(data: dict) -> str:
    return json.dumps(data, separators=(",", ":"))


def _parse(value: str, key: str) -> dict:
    data = json.loads(value or "")
    if not isinstance(data, dict) or not isinstance(data.get(key), int):
        raise ValueError(f"not a helpbot {key} value")
    return data


def ask_block(audit_id: int, channel: str, question_ts: str | None, lang: str = "en") -> dict:
    value = _value({"ref": audit_id, "q": f"{channel}/{question_ts or ''}"})
    button = {"type": "button", "action_id": ASK_ACTION, "value": value,
              "text": {"type": "plain_text", "text": localize(strings.ASK_PERSON_BUTTON, lang)}}
    return {"type": "actions", "block_id": HANDOFF_BLOCK, "elements": [button]}


def _mention(text: str, user: str) -> str:
    return escape(text).replace(MENTION, f"<@{user}>" if user.isalnum() else "someone")


def faq_modal(fill: dict[str, str], meta: dict) -> dict:
    """The "Save as FAQ" form, prefilled (`fill`: questions, answer, id, url)."""

    def field(block: str, label: str, multiline: bool = False, optional: bool = False, limit: int = INPUT_MAX) -> dict:
        element = {"type": "plain_text_input", "action_id": "value", "multiline": multiline, "max_length": limit}
        if fill.get(block):
            element["initial_value"] = fill[block][:limit]
        return {"type": "input", "block_id": block, "optional": optional, "element": element,
                "label": {"type": "plain_text", "text": label}}

    return {
        "type": "modal", "callback_id": VIEW, "private_metadata": json.dumps(meta)[:3000],
        "title": {"type": "plain_text", "text": strings.SAVE_FAQ_TITLE},
        "submit": {"type": "plain_text", "text": strings.SAVE_FAQ_SUBMIT},
        "close": {"type": "plain_text", "text": strings.SAVE_FAQ_CANCEL},
        "blocks": [
            field("questions", strings.SAVE_FAQ_QUESTIONS_LABEL, multiline=True),
            field("answer", strings.SAVE_FAQ_ANSWER_LABEL, multiline=True),
            field("id", strings.SAVE_FAQ_ID_LABEL, limit=MAX_ID_CHARS),
            field("url", strings.SAVE_FAQ_URL_LABEL, optional=True, limit=MAX_URL_CHARS),
            {"type": "context", "elements": [{"type": "mrkdwn", "text": escape(strings.SAVE_FAQ_HINT)}]},
        ],
    }


def read_modal(view: dict) -> tuple[LearnedEntry, dict]:
    """The submitted form as an entry, and the metadata it was opened with."""
    values = (view.get("state") or {}).get("values") or {}
    got = {f: str(((values.get(f) or {}).get("value") or {}).get("value") or "") for f in FIELDS}
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        meta = {}
    entry = LearnedEntry(got["id"].strip(), parse_questions(got["questions"]), got["answer"].strip(), got["url"].strip() or None)
    return entry, meta if isinstance(meta, dict) else {}


class SlackHandoff:
    """The handoff listeners of one SlackAdapter (`adapter.handoff`)."""

    def __init__(self, adapter, settings):
        self.adapter = adapter
        self.rules = channel_rules(settings, "slack")
        self.desk = HandoffDesk(adapter.bot)
        self.faq = LearnedFaq(adapter.bot)

    def register(self, app) -> None:
        app.action(ASK_ACTION)(self.on_ask)
        app.action(SAVE_ACTION)(self.on_save_button)
        app.shortcut(SHORTCUT)(self.on_shortcut)
        app.view(VIEW)(self.on_submit)

    # -- "Ask a person" -------------------------------------------------------------------------
    def blocks_for(self, reply: Reply, blocks: list[dict], channel: str, question_ts: str | None) -> list[dict]:
        """The reply's blocks, with "Ask a person" when it is offered (a handoff channel is set)."""
        if offers_handoff(reply, self.rules.handoff):
            return [*blocks, ask_block(reply.audit_id, channel, question_ts, reply.language)]
        return blocks

    def after_not_helpful(self, data: dict, body: dict) -> list[dict] | None:
        """The thanks for a "Not helpful" click offers "Ask a person" too."""
        if not self.rules.handoff or not isinstance(data.get("ref"), int):
            return None
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") or ""
        return [{"type": "section", "text": {"type": "mrkdwn", "text": escape(strings.FEEDBACK_THANKS)}},
                ask_block(data["ref"], channel, message.get("thread_ts") or message.get("ts"))]

    async def on_ask(self, ack, body, action, respond, context=None) -> None:
        self.adapter._enter(context)
        await ack()
        try:
            data = _parse(action.get("value", ""), "ref")
        except (ValueError, TypeError):
            log.warning("slack: ignored an 'Ask a person' click with an unexpected value")
            return
        await self.adapter._tracked(self._hand_off(body, data, respond))

    async def _hand_off(self, body: dict, data: dict, respond) -> None:
        user = (body.get("user") or {}).get("id", "")
        channel, _, question_ts = str(data.get("q", "")).partition("/")
        reply_text = to_plain((body.get("message") or {}).get("text") or "")
        link = await self._permalink(channel, question_ts)
        handoff = await asyncio.to_thread(self.desk.request, "slack", data["ref"], user, link, reply_text, channel)
        lang = language_of(handoff.question or "")  # the asker is told in their question's language
        if not handoff.new:
            await self._tell(respond, localize(strings.HANDOFF_ALREADY, lang))
            return
        text = _mention(self.desk.post_text(handoff, MENTION), user)
        blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}]
        if handoff.id is not None:
            blocks.append({"type": "actions", "block_id": HANDOFF_BLOCK, "elements": [
                {"type": "button", "action_id": SAVE_ACTION, "value": _value({"handoff": handoff.id}),
                 "text": {"type": "plain_text", "text": strings.SAVE_FAQ_BUTTON}}]})
        try:
            posted = await self.adapter.client.chat_postMessage(channel=self.rules.handoff, text=text[:3900], blocks=blocks,
                                                                unfurl_links=False, unfurl_media=False)
        except (SlackApiError, *NETWORK_ERRORS) as exc:
            from adapters.slack.app import delivery_error

            await asyncio.to_thread(self.desk.post_failed, handoff.id, delivery_error(exc), self.rules.handoff, "slack")
            self.adapter.bot.metrics.delivery_failed("slack", "handoff")
            contact = self.adapter.bot.snapshot.kb.scope.get("contact")
            line = strings.CONTACT_LINE.format(contact=contact) if contact else strings.NO_CONTACT_LINE
            await self._tell(respond, localize(strings.HANDOFF_FAILED, lang).format(contact_line=line))
            return
        await asyncio.to_thread(self.desk.posted, handoff.id, f"{self.rules.handoff}/{posted['ts']}")
        await self._tell(respond, localize(strings.HANDOFF_SENT, lang))

    async def _permalink(self, channel: str, ts: str) -> str:
        """A link to the asker's message for the support team ("channel/ts" when Slack gives none)."""
        if not channel or not ts:
            return f"{channel}/{ts}".strip("/")
        try:
            return str((await self.adapter.client.chat_getPermalink(channel=channel, message_ts=ts))["permalink"])
        except Exception as exc:  # noqa: BLE001 - the post still goes out, with a plainer reference
            log.info("slack: chat.getPermalink failed (%s); the handoff names the message instead", exc)
            return f"{channel}/{ts}"

    @staticmethod
    async def _tell(respond, text: str) -> None:
        try:
            await respond(text=escape(text), response_type="ephemeral", replace_original=False)
        except Exception:  # noqa: BLE001 - the response_url expired or Slack is failing
            log.warning("slack: could not tell the user about their handoff", exc_info=True)

    async def heard(self, event: dict) -> None:
        """A person wrote in a thread of the handoff channel: record it as that handoff's answer."""
        post_ref = f"{event['channel']}/{event['thread_ts']}"
        text = to_plain(event.get("text") or "", self.adapter.identity.user_id)
        await asyncio.to_thread(self.desk.answered, "slack", post_ref, event["user"], text)

    # -- "Save as FAQ" --------------------------------------------------------------------------
    async def on_save_button(self, ack, body, action, respond, context=None) -> None:
        self.adapter._enter(context)
        await ack()
        try:
            handoff_id = _parse(action.get("value", ""), "handoff")["handoff"]
        except (ValueError, TypeError):
            log.warning("slack: ignored a 'Save as FAQ' click with an unexpected value")
            return
        handoff = await asyncio.to_thread(self.desk.by_id, handoff_id)
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id") or ""
        meta = {"h": handoff_id, "c": channel, "t": message.get("thread_ts") or message.get("ts") or ""}
        await self._open_form(body, respond, handoff.question if handoff else "", handoff.answer if handoff else "", meta)

    async def on_shortcut(self, ack, body, respond, context=None) -> None:
        """The message shortcut on any message: its text is the answer; the question comes from the
        thread's handoff, or the last question the bot could not answer in that thread."""
        self.adapter._enter(context)
        await ack()
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id", "")
        thread_ts = message.get("thread_ts") or message.get("ts") or ""
        answer = to_plain(message.get("text") or "", self.adapter.identity.user_id)
        handoff = await asyncio.to_thread(self.desk.by_post, "slack", f"{channel}/{thread_ts}")
        question = handoff.question if handoff else await asyncio.to_thread(
            self.desk.recent_question, f"slack:{channel}:{thread_ts}")
        meta = {"h": handoff.id if handoff else None, "c": channel, "t": thread_ts}
        await self._open_form(body, respond, question, answer, meta)

    async def _open_form(self, body: dict, respond, question: str, answer: str, meta: dict) -> None:
        user = (body.get("user") or {}).get("id", "")
        if not await self.adapter.admins.is_admin(user):
            await self._tell(respond, strings.SAVE_FAQ_ADMINS_ONLY)
            return
        fill = prefill(question, answer, await asyncio.to_thread(self.faq.taken_ids))
        try:
            await self.adapter.client.views_open(trigger_id=body.get("trigger_id", ""), view=faq_modal(fill, meta))
        except (SlackApiError, *NETWORK_ERRORS) as exc:
            log.warning("slack: could not open the Save as FAQ form (%s)", getattr(exc, "response", {}).get("error", exc))
            await self._tell(respond, strings.ERROR)

    async def on_submit(self, ack, body, view, context=None) -> None:
        self.adapter._enter(context)
        user = (body.get("user") or {}).get("id", "")
        entry, meta = read_modal(view)
        if not await self.adapter.admins.is_admin(user):
            await ack(response_action="errors", errors={"answer": strings.SAVE_FAQ_ADMINS_ONLY})
            return
        try:
            saved = await asyncio.to_thread(self.faq.save, entry, f"slack:{user}")
        except SaveRefused as refused:
            await ack(response_action="errors", errors={k: v[:150] for k, v in refused.errors.items() if k in FIELDS})
            return
        await ack()
        await self.adapter._tracked(self._after_save(saved, user, meta))

    async def _after_save(self, entry_id: str, user: str, meta: dict) -> None:
        from bot.ops.reload import reload_knowledge

        result = await reload_knowledge(self.adapter.bot, f"slack:{user} (Save as FAQ)", wait=True)
        if isinstance(meta.get("h"), int):
            await asyncio.to_thread(self.desk.saved, meta["h"], entry_id, user, "slack")
        text = _mention(saved_text(entry_id, MENTION, result), user)
        channel, thread = str(meta.get("c") or ""), str(meta.get("t") or "")
        try:
            if channel:
                await self.adapter.client.chat_postMessage(channel=channel, thread_ts=thread or None, text=text[:3900],
                                                           unfurl_links=False, unfurl_media=False)
            else:
                await self.adapter.client.chat_postMessage(channel=user, text=text[:3900])
        except (SlackApiError, *NETWORK_ERRORS) as exc:
            log.warning("slack: saved FAQ entry %s but could not say so in the thread (%s)", entry_id, exc)
