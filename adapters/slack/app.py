"""The Slack adapter: a slack-bolt AsyncApp that turns mentions, DMs, thread follow-ups, the slash
command and feedback clicks into `HelpBot.handle` calls and Block Kit replies.

Bolt acknowledges every request before the slow work (process_before_response=False), so Slack
gets its HTTP 200 (or Socket Mode ack) in milliseconds while the answer is computed afterwards.
Over HTTP, requests are verified by `adapters/slack/front.py` before Bolt sees them.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import re
from typing import NamedTuple

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.base import Serving
from adapters.slack.admins import AdminCheck
from adapters.slack.caches import ExpiringCache
from adapters.slack.commands import handle_command
from adapters.slack.connect import NETWORK_ERRORS, Identity, count_rate_limits
from adapters.slack.response_url import ResponseUrl, ResponseUrlError
from adapters.slack.front import VERIFIED
from adapters.slack.handoff import SlackHandoff
from adapters.live import LivePreview
from adapters.slack.format import FEEDBACK_ACTIONS, escape, parse_feedback_value, preview_mrkdwn, reply_blocks, to_plain
from bot import strings
from bot.config import Settings
from bot.core.events import EventClaims
from bot.core.store_shared import SharedThreads
from bot.handoff import quiet
from bot.messages import Message, Reply

log = logging.getLogger("helpbot.slack")

# Message subtypes that are still a person asking something; edits, deletions, joins... are not.
ASKING_SUBTYPES = (None, "file_share", "thread_broadcast")
# What `seen_events` holds per event id: being answered, answered, or not answered (a retry may try again).
IN_FLIGHT, HANDLED, FAILED = "in flight", "handled", "failed"
DELIVERY_FAILED = "delivery.failed"  # the reason added to an audit row whose answer could not be posted


class Workspace(NamedTuple):
    client: AsyncWebClient
    identity: Identity


# OAuth distribution: the workspace the current event came from (its own token and bot user), set
# by each listener from Bolt's context; each listener runs in its own task, so it stays its own.
_WORKSPACE: contextvars.ContextVar[Workspace | None] = contextvars.ContextVar("helpbot_slack_workspace", default=None)


def delivery_error(exc: BaseException) -> str:
    """A short, bounded name for why a post failed: Slack's error code, or the exception's class."""
    if isinstance(exc, ResponseUrlError):
        return exc.reason
    if isinstance(exc, SlackApiError):
        code = exc.response.get("error") if isinstance(exc.response.data, dict) else None
        return str(code or f"http_{exc.response.status_code}")[:40]
    return exc.__class__.__name__


class SlackAdapter:
    """One workspace's Bolt app around a HelpBot. Serve `self.app` over HTTP or Socket Mode."""

    def __init__(self, bot, settings: Settings, client: AsyncWebClient, identity: Identity, signing_secret: str | None = None,
                 serving: Serving | None = None, oauth=None):
        """`oauth`: (AsyncOAuthSettings, authorize) from adapters/slack/oauth.py for a distributed app
        (each workspace answered with its own token); None for one workspace's bot token."""
        self.bot = bot
        self.serving = serving or Serving()  # tracks the answers in flight; `serving.drain()` waits for them
        self.conf = settings.slack
        self._client = client
        count_rate_limits(client, bot.metrics)
        self._identity = identity
        self.signing_secret = signing_secret  # HTTP mode: front.FrontDoor checks requests with it
        self.admins = AdminCheck(lambda: self.client, settings)
        self.seen_events = ExpiringCache(maxsize=20_000, ttl=3600)  # event id -> IN_FLIGHT/HANDLED/FAILED; Slack retries for ~1 hour
        # (channel, thread_ts) answered in: this replica's cache, and the store when replicas share one
        self.threads = SharedThreads("slack", ExpiringCache(maxsize=20_000, ttl=7 * 24 * 3600), bot.audit.store, bot.metrics)
        self.clicks = ExpiringCache(maxsize=20_000, ttl=24 * 3600)  # one vote per (reply, user, value)
        self.claims = EventClaims(bot.audit.store, bot.metrics, "slack")  # replicas sharing PostgreSQL claim each event
        self.oauth = oauth is not None
        self.app = AsyncApp(
            client=client,
            signing_secret=signing_secret or "",
            request_verification_enabled=False,  # front.FrontDoor verifies, without logging bodies
            process_before_response=False,
            logger=logging.getLogger("helpbot.slack.bolt"),
            name="helpbot",
            **({"oauth_settings": oauth[0], "authorize": oauth[1]} if oauth else {}),
        )
        if oauth:
            self.app.enable_token_revocation_listeners()  # app_uninstalled, tokens_revoked: the store forgets them
        self.app.middleware(self._require_front_door)
        self.app.middleware(self._drop_duplicates)
        self.app.event("app_mention")(self._on_mention)
        self.app.event("message")(self._on_message)
        self.app.command(self.conf["command"])(self._on_command)
        self.app.action(re.compile(r"^helpbot_feedback_"))(self._on_feedback)
        self.handoff = SlackHandoff(self, settings)  # "Ask a person", "Save as FAQ" (adapters/slack/handoff.py)
        self.handoff.register(self.app)
        self.app.error(self._on_error)

    # -- the workspace an event came from -----------------------------------------------------
    @property
    def client(self) -> AsyncWebClient:
        """The Web API client for the current event's workspace (OAuth: with its own token)."""
        workspace = _WORKSPACE.get()
        return workspace.client if workspace else self._client

    @property
    def identity(self) -> Identity:
        workspace = _WORKSPACE.get()
        return workspace.identity if workspace else self._identity

    def _enter(self, context) -> None:
        """OAuth: answer with the token and bot user Bolt found for this request's workspace."""
        if self.oauth and context is not None and context.get("bot_token"):
            identity = Identity(user_id=context.bot_user_id or "", bot_id=context.bot_id or "", team_id=context.team_id or "")
            _WORKSPACE.set(Workspace(context.client, identity))

    # -- request filtering ------------------------------------------------------------------
    @staticmethod
    async def _require_front_door(request, next):
        """Over HTTP, only requests verified by front.FrontDoor (Bolt's own check is off); Socket
        Mode frames come over the app token's authenticated websocket."""
        if request.mode != "socket_mode" and not request.context.get(VERIFIED):
            log.warning("slack: refused an HTTP request that did not pass the front door (serve it with run.serve_http)")
            return BoltResponse(status=401, body="")
        return await next()

    async def _drop_duplicates(self, body, request, next):
        """Ack and drop deliveries of an event id being answered or answered (Slack delivers at least
        once); a first delivery, or a retry of one that was never answered, goes through."""
        if body.get("type") == "event_callback":
            retry = (request.headers.get("x-slack-retry-num") or ["0"])[0]  # Socket Mode sends "0" too
            retry = retry if retry.strip() not in ("", "0") else None
            event_id = body.get("event_id")
            state = self.seen_events.get(event_id) if event_id else None
            if state in (IN_FLIGHT, HANDLED):
                log.info("slack: dropped duplicate event %s (%s; retry %s)", event_id, state, retry)
                return BoltResponse(status=200, body="")
            if retry and self.conf["ignore_retries"]:
                log.info("slack: dropped retry %s of event %s (ignore_retries is on)", retry, event_id)
                return BoltResponse(status=200, body="")
            if event_id:
                self.seen_events.set(event_id, IN_FLIGHT)
                claim = asyncio.get_running_loop().run_in_executor(self.claims.executor, self.claims.claim, event_id,
                                                                   json.dumps(body)) if self.claims.shared else None
                if claim is not None and not await claim:
                    self.seen_events.set(event_id, FAILED)  # not answered here: a retry asks the database again
                    log.info("slack: dropped event %s: another replica answers it (retry %s)", event_id, retry)
                    return BoltResponse(status=200, body="")
            if retry:
                log.info("slack: answering retry %s of event %s (%s)", retry, event_id, state or "not seen before")
        return await next()

    async def take_over(self, interval: float = 5.0) -> None:
        """Replicas sharing PostgreSQL: answer the events a replica that died (SIGKILL, lost node)
        had acknowledged to Slack but not answered; Slack will not send them again. Runs until cancelled."""
        while True:
            await asyncio.sleep(interval)
            for event_id, body in await asyncio.to_thread(self.claims.take_over):
                log.warning("slack: answering event %s that a replica which stopped had acknowledged", event_id)
                request = AsyncBoltRequest(body=body, headers={"content-type": ["application/json"]},
                                           context={VERIFIED: True})  # verified when it first arrived
                try:
                    await self.app.async_dispatch(request)
                except Exception:  # noqa: BLE001 - one bad row never stops the loop
                    log.exception("slack: could not take over event %s", event_id)

    def _event_done(self, event_id: str | None, answered: bool) -> None:
        """Record how an event ended: a later retry of a FAILED one is answered again."""
        if event_id:
            self.seen_events.set(event_id, HANDLED if answered else FAILED)
            if self.claims.shared:  # in the background: the shared row only matters to a later retry
                asyncio.get_running_loop().run_in_executor(self.claims.executor, self.claims.finish, event_id, answered)

    @staticmethod
    def _from_a_person(event: dict) -> bool:
        """A person's message, with the fields answering needs (all strings)."""
        fields = [event.get(k) for k in ("user", "channel", "ts")]
        optional = [event.get(k) for k in ("text", "thread_ts", "channel_type")]
        return (all(isinstance(v, str) and v for v in fields) and all(v is None or isinstance(v, str) for v in optional)
                and not event.get("bot_id") and event.get("subtype") in ASKING_SUBTYPES)

    # -- listeners ----------------------------------------------------------------------------
    async def _on_mention(self, event: dict, body: dict, context=None) -> None:
        self._enter(context)
        if self._from_a_person(event):
            await self._tracked(self._answer_event(event, body.get("event_id")))
        else:
            self._event_done(body.get("event_id"), answered=True)

    async def _on_message(self, event: dict, body: dict, context=None) -> None:
        self._enter(context)
        if not self._from_a_person(event):
            self._event_done(body.get("event_id"), answered=True)
            return
        thread_ts = event.get("thread_ts")
        mentioned = f"<@{self.identity.user_id}" in (event.get("text") or "")
        dm = event.get("channel_type") == "im"
        if thread_ts and not dm and event["channel"] == self.handoff.rules.handoff:
            await self.handoff.heard(event)  # a person answering a handoff: "answered by people"
        # A thread the bot answered in, on this replica or (shared store) on another one.
        follow_up = bool(thread_ts) and not dm and not mentioned and await self._followed(event["channel"], thread_ts)
        # [slack] answer_channels: every new top-level message from a person, without a mention.
        asked_here = not thread_ts and not dm and not mentioned and event["channel"] in self.handoff.rules.answer
        # A mention in a channel also arrives as app_mention; answer it there only.
        if dm or (follow_up and not mentioned) or asked_here:
            await self._tracked(self._answer_event(event, body.get("event_id"), quiet_here=asked_here))
        else:
            self._event_done(body.get("event_id"), answered=True)  # not for us: nothing to retry

    async def _followed(self, channel: str, thread_ts: str) -> bool:
        key = (channel, thread_ts)
        if key in self.threads.local:
            return True
        return self.threads.store is not None and await asyncio.to_thread(self.threads.__contains__, key)

    async def _answered_in(self, channel: str, thread_ts: str) -> None:
        """Follow up in this thread from now on (every replica, when the store is shared)."""
        if self.threads.store is None:
            self.threads.add((channel, thread_ts))
        else:
            await asyncio.to_thread(self.threads.add, (channel, thread_ts))

    async def _on_command(self, ack, body, context=None) -> None:
        self._enter(context)
        await ack()
        await self._tracked(handle_command(self, body, ResponseUrl(body["response_url"], self.bot.metrics)))

    async def _on_feedback(self, ack, body, action, respond, context=None) -> None:
        self._enter(context)
        await ack()
        user = (body.get("user") or {}).get("id", "")
        try:
            value = FEEDBACK_ACTIONS[action["action_id"]][0]
            data = parse_feedback_value(action.get("value", ""))
        except (KeyError, ValueError):
            log.warning("slack: ignored a feedback click with an unexpected value")
            return
        vote = f"vote:{data['ref']}:{user}:{value}"  # replicas sharing PostgreSQL: one row per vote
        if self.clicks.add_if_new((data["ref"], user, value)) and (
                not self.claims.shared or await asyncio.to_thread(self.claims.claim, vote)):
            await asyncio.to_thread(
                self.bot.audit.feedback, "slack", str(data["ref"]), user, value, str(data.get("route", "")), str(data.get("source", ""))
            )
        offer = self.handoff.after_not_helpful(data, body) if value == "not_helpful" else None  # "Ask a person"
        await respond(text=strings.FEEDBACK_THANKS, response_type="ephemeral", replace_original=False,
                      **({"blocks": offer} if offer else {}))

    async def _on_error(self, error, body) -> None:
        body = body if isinstance(body, dict) else {}
        event = body.get("event") if isinstance(body.get("event"), dict) else {}
        kind = event.get("type") or body.get("type") or body.get("command")
        log.error("slack: error while handling %s", kind, exc_info=error)

    # -- answering ----------------------------------------------------------------------------
    async def _tracked(self, coro) -> None:
        """Run `coro` as work in flight, which a stop waits for (adapters/base.py `Serving`)."""
        await self.serving.run(coro)

    async def message(self, text: str, user: str, channel: str, conversation: str, raw: dict | None = None) -> Message:
        """The core's Message for a question from `user`; follow-ups group by `conversation` in `channel`."""
        return Message(text, platform="slack", user_id=user, channel_id=channel,
                       conversation_id=f"slack:{channel}:{conversation}", is_admin=await self.admins.is_admin(user), raw=raw)

    async def _answer_event(self, event: dict, event_id: str | None = None, quiet_here: bool = False) -> None:
        """Answer one message in its thread. `quiet_here` (answer channels): post nothing when the
        bot has nothing useful to say (bot.handoff.quiet), an emoji reaction at most."""
        channel, user, ts = event["channel"], event["user"], event["ts"]
        dm = event.get("channel_type") == "im"
        thread_ts = event.get("thread_ts") or (None if dm else ts)
        text = to_plain(event.get("text") or "", self.identity.user_id)
        answered = False
        message = await self.message(text, user, channel, thread_ts or "dm", raw=event)
        reacted = asyncio.create_task(self._react("reactions_add", channel, ts))
        live = self.preview(channel, thread_ts)
        try:
            try:
                reply = await self.bot.handle(message, live)
                answered = True
            except Exception:  # noqa: BLE001 - one failing event never stops the app
                log.exception("slack: pipeline failed for an event in %s", channel)
                reply = Reply("unknown", strings.ERROR, reasons=["error.slack"], ephemeral=True)
            finally:
                await live.close()
            if quiet_here and quiet(reply):
                await self._stay_quiet(channel, ts, live.handle)
                return
            try:
                await self.post_reply(reply, channel, user, thread_ts, dm, replace=live.handle, question_ts=ts)
            except Exception as exc:  # noqa: BLE001
                answered = False
                await self.delivery_failed(reply, channel, exc)
                await self.tell_error(channel, user, thread_ts)
        finally:
            self._event_done(event_id, answered)
            if await reacted:
                await self._react("reactions_remove", channel, ts)

    async def delivery_failed(self, reply: Reply, channel: str, exc: Exception) -> None:
        """Make an answer that could not be posted visible to admins: a WARNING (without the text),
        `helpbot_delivery_failures_total` in /metrics, and `delivery.failed` on its audit row (`helpbot stats`)."""
        reason = delivery_error(exc)
        expected = isinstance(exc, (SlackApiError, ResponseUrlError, *NETWORK_ERRORS))
        log.warning("slack: could not post the answer in %s (%s)", channel, reason, exc_info=not expected)
        self.bot.metrics.delivery_failed("slack", reason)
        if reply.audit_id is not None:
            await asyncio.to_thread(self.bot.audit.add_reason, reply.audit_id, DELIVERY_FAILED)

    def preview(self, channel: str, thread_ts: str | None) -> LivePreview:
        """The progress sink for one answer: a message in the thread, updated while it is written."""

        async def post(text: str) -> str:
            posted = await self.client.chat_postMessage(
                channel=channel, thread_ts=thread_ts, text=preview_mrkdwn(text), unfurl_links=False, unfurl_media=False
            )
            return posted["ts"]

        async def edit(ts: str, text: str) -> None:
            await self.client.chat_update(channel=channel, ts=ts, text=preview_mrkdwn(text))

        return LivePreview(post, edit, self.conf["edit_interval_s"])

    async def _stay_quiet(self, channel: str, ts: str, preview: str | None) -> None:
        """Nothing useful to say in an answer channel: no reply; the quiet reaction, if one is set."""
        name = self.handoff.rules.quiet_reaction
        try:
            if preview:
                await self.client.chat_delete(channel=channel, ts=preview)
            if name:
                await self.client.reactions_add(channel=channel, timestamp=ts, name=name)
        except Exception as exc:  # noqa: BLE001 - cosmetic: nothing was posted either way
            log.debug("slack: staying quiet in %s: %s", channel, exc)

    async def post_reply(self, reply: Reply, channel: str, user: str, thread_ts: str | None, dm: bool,
                         replace: str | None = None, question_ts: str | None = None) -> None:
        """Public reply in the thread; ephemeral replies via chat.postEphemeral (in DMs, just posted).
        `replace`: the ts of a preview message, which the reply takes over (or which is deleted
        when the reply must be ephemeral). `question_ts`: the question, for "Ask a person"."""
        text, blocks = reply_blocks(reply)
        blocks = self.handoff.blocks_for(reply, blocks, channel, question_ts)
        if replace and (dm or not reply.ephemeral):
            await self.client.chat_update(channel=channel, ts=replace, text=text, blocks=blocks)
            if thread_ts and not dm:
                await self._answered_in(channel, thread_ts)
            return
        if replace:
            await self.client.chat_delete(channel=channel, ts=replace)
        if reply.ephemeral and not dm:
            try:
                await self.client.chat_postEphemeral(channel=channel, user=user, text=text, blocks=blocks, thread_ts=thread_ts)
                return
            except SlackApiError as exc:
                log.info("slack: chat.postEphemeral failed (%s); replying in the thread", exc.response.get("error"))
        await self.client.chat_postMessage(
            channel=channel, thread_ts=thread_ts, text=text, blocks=blocks, unfurl_links=False, unfurl_media=False
        )
        if thread_ts and not dm:
            await self._answered_in(channel, thread_ts)

    async def tell_error(self, channel: str, user: str, thread_ts: str | None) -> None:
        try:
            await self.client.chat_postEphemeral(channel=channel, user=user, text=escape(strings.ERROR), thread_ts=thread_ts)
        except Exception:  # noqa: BLE001 - Slack itself is failing; the log has the details
            log.warning("slack: could not tell %s about the error either", user)

    async def _react(self, method: str, channel: str, ts: str) -> bool:
        name = self.conf["reaction"]
        if not name:
            return False
        try:
            await getattr(self.client, method)(channel=channel, timestamp=ts, name=name)
            return True
        except Exception as exc:  # noqa: BLE001 - a missing reaction is cosmetic
            log.debug("slack: %s failed: %s", method, exc)
            return False
