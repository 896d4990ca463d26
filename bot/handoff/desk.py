"""The handoff desk: "Ask a person" requests, their posts in the support channel, the people's
answers there, and the FAQ entries they became. One `handoffs` row per request, updated as it goes
(state open -> answered -> saved, or failed when the post could not be made).

Platform-neutral: the Slack and Discord adapters post and listen; this records and words it.
Every text kept here is redacted like the audit log (personal data and secrets masked), and with
`[audit] store_text = false` no text is kept at all.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import NamedTuple

from bot import strings
from bot.core.store import StoreUnavailable, WarnEvery, now_iso
from bot.messages import Reply

log = logging.getLogger("helpbot.handoff")

MAX_REPLY_CHARS = 1500  # the bot's reply as quoted in the support post
MAX_ANSWER_CHARS = 8000  # a person's answer kept for the "Save as FAQ" form
COLUMNS = ("id", "platform", "audit_id", "message_ref", "question", "bot_reply", "post_ref", "state", "answer", "faq_id",
           "channel", "error")


def ids(values) -> set[str]:
    """A config list of channel ids (strings or numbers) as a set of strings."""
    return {str(v).strip() for v in values or [] if str(v).strip()}


def handoff_channel(settings, platform: str) -> str:
    """`[handoff] <platform>_channel`: where "Ask a person" posts; "" = no button on that platform."""
    channels = {"slack": settings.handoff["slack_channel"], "discord": settings.handoff["discord_channel"]}
    return str(channels.get(platform) or "").strip()


class ChannelRules(NamedTuple):
    """Where a platform's bot speaks without being mentioned, and where it hands off."""

    answer: frozenset[str]  # channels where every new message from a person is answered
    forums: frozenset[str]  # forum channels where every new post is answered (Discord)
    quiet_reaction: str  # the emoji for "nothing useful to say" there ("" = none)
    handoff: str  # the "Ask a person" channel ("" = no button)


def channel_rules(settings, platform: str) -> ChannelRules:
    """`[slack]` / `[discord]` answer_channels, forum_channels, quiet_reaction and `[handoff]`."""
    if platform == "discord":
        conf = settings.discord
        forums = ids(conf["forum_channels"])
    else:
        conf = settings.slack
        forums = set()
    return ChannelRules(frozenset(ids(conf["answer_channels"])), frozenset(forums),
                        str(conf["quiet_reaction"] or "").strip(), handoff_channel(settings, platform))


def quiet(reply: Reply) -> bool:
    """In answer and forum channels the bot posts nothing for this reply (a reaction at most):
    a refusal, an `unknown` without a closest-sections list, or smalltalk that asks nothing.
    Blocks are not quiet: they are shown to the asker only, and a crisis reply (support
    resources) must always reach them."""
    if reply.route == "refuse":
        return True
    if reply.route == "smalltalk":
        # "thanks all!", "bye", no question: nothing to post; a greeting or "help" is about to ask
        greets = any(r in ("smalltalk.greeting", "smalltalk.help") for r in reply.reasons)
        return not greets
    return reply.route == "unknown" and "closest_sections" not in reply.reasons


def offers_handoff(reply: Reply, channel: str) -> bool:
    """Whether "Ask a person" goes under this reply: a handoff channel is set, the reply is
    recorded (its audit id is the handoff's key), and the bot did not know (`unknown`, with or
    without closest sections). Error replies do not offer it (they ask to try again)."""
    return (bool(channel) and reply.audit_id is not None and reply.route == "unknown"
            and not any(r.startswith("error.") for r in reply.reasons))


@dataclass
class Handoff:
    id: int | None
    platform: str
    audit_id: int | None = None
    message_ref: str = ""
    question: str = ""  # redacted; "" when text is not stored
    bot_reply: str = ""
    post_ref: str = ""  # the support post (its thread), as the adapter names it
    state: str = "open"  # open | answered | saved | failed
    answer: str = ""  # the latest answer a person wrote in the handoff thread (redacted)
    faq_id: str = ""
    channel: str = ""  # where the question was asked
    error: str = ""
    new: bool = False  # created by this request() call (post it); False: it exists already

    @classmethod
    def from_row(cls, row) -> "Handoff":
        values = dict(zip(COLUMNS, row))
        return cls(**{k: (v if v is not None or k in ("id", "audit_id") else "") for k, v in values.items()})


class HandoffDesk:
    """Records handoffs in the bot's store. Calls block briefly (one query): adapters run them in
    a worker thread (`asyncio.to_thread`). A store outage never raises: it is logged and counted."""

    def __init__(self, bot):
        self.bot = bot
        self.audit = bot.audit
        self._warn = WarnEvery(log)

    @property
    def store(self):
        return self.audit.store

    def _redact(self, text: str, limit: int) -> str:
        if not self.audit.store_text:
            return ""
        redact = getattr(self.bot.guard, "redact_text", None) or self.audit.redact
        text = redact((text or "").strip())
        return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"

    def _lost(self, what: str, exc: Exception) -> None:
        if self.audit.on_failure is not None:
            self.audit.on_failure("handoffs")
        self._warn.warning("handoff: %s not recorded (%s)", what, exc)

    def _one(self, where: str, params: list) -> Handoff | None:
        rows = self.store.fetch(f"select {', '.join(COLUMNS)} from handoffs where {where} order by id limit 1", params)
        return Handoff.from_row(rows[0]) if rows else None

    # -- asking ---------------------------------------------------------------------------------
    def request(self, platform: str, audit_id: int | None, user_id: str, message_ref: str, bot_reply: str = "",
                channel: str = "") -> Handoff:
        """The handoff for the reply `audit_id` (created now, `new`, or the existing one)."""
        question = ""
        if audit_id is not None:
            try:
                row = self.store.fetch("select text_redacted, channel from audit where id = ?", [audit_id])
            except StoreUnavailable as exc:
                row = []
                self._lost("question lookup", exc)
            if row:
                question, channel = row[0][0] or "", channel or row[0][1] or ""
        handoff = Handoff(None, platform, audit_id, message_ref[:500], question if self.audit.store_text else "",
                          self._redact(bot_reply, MAX_REPLY_CHARS), channel=channel[:200], new=True)
        values = {"ts": now_iso(), "platform": platform, "audit_id": audit_id,
                  "user_hash": self.audit.user_hash(platform, user_id), "channel": handoff.channel,
                  "message_ref": handoff.message_ref, "question": handoff.question, "bot_reply": handoff.bot_reply,
                  "post_ref": "", "state": "open", "error": "", "answer": "", "faq_id": ""}
        sql = (f"insert into handoffs ({', '.join(values)}) values ({', '.join('?' * len(values))}) "
               "on conflict (platform, audit_id) do nothing returning id")
        try:
            row = self.store.write_returning(sql, list(values.values()))
            if row is None:  # this reply was handed off already (a second click, or another replica)
                existing = self._one("platform = ? and audit_id = ?", [platform, audit_id])
                if existing is not None:
                    return existing
            else:
                handoff.id = int(row[0])
        except StoreUnavailable as exc:
            self._lost("request", exc)
        return handoff

    def post_text(self, handoff: Handoff, asker: str = "someone") -> str:
        """The support channel post, in plain text (the adapter escapes it for its platform)."""
        lines = [strings.HANDOFF_POST.format(asker=asker)]
        lines.append(strings.HANDOFF_POST_QUESTION.format(question=handoff.question) if handoff.question
                     else strings.HANDOFF_POST_NO_TEXT)
        if handoff.bot_reply:
            lines.append(strings.HANDOFF_POST_REPLY.format(reply=handoff.bot_reply))
        if handoff.message_ref:
            lines.append(strings.HANDOFF_POST_LINK.format(link=handoff.message_ref))
        lines.append(strings.HANDOFF_POST_HOWTO)
        return "\n".join(lines)

    def _update(self, what: str, sql: str, params: list) -> None:
        try:
            self.store.write_returning(sql, params)
        except StoreUnavailable as exc:
            self._lost(what, exc)

    def posted(self, handoff_id: int | None, post_ref: str) -> None:
        if handoff_id is not None:
            self._update("post", "update handoffs set post_ref = ?, state = 'open', error = '' where id = ?",
                         [post_ref, handoff_id])

    def post_failed(self, handoff_id: int | None, reason: str, channel: str = "", platform: str = "") -> None:
        """The support post could not be made: an ERROR naming the fix, and the row marked failed
        (`helpbot stats` counts them), so the next click tries again."""
        log.error(strings.HANDOFF_NOT_IN_CHANNEL.format(platform=platform or "slack", channel=channel or "?",
                                                        error=reason))
        if handoff_id is not None:
            # The unique (platform, audit_id) slot is freed, so the asker may click again once fixed.
            self._update("failure", "update handoffs set state = 'failed', error = ?, audit_id = null where id = ?",
                         [reason[:200], handoff_id])

    # -- finding --------------------------------------------------------------------------------
    def by_id(self, handoff_id: int) -> Handoff | None:
        try:
            return self._one("id = ?", [handoff_id])
        except StoreUnavailable as exc:
            self._lost("lookup", exc)
            return None

    def by_post(self, platform: str, post_ref: str) -> Handoff | None:
        if not post_ref:
            return None
        try:
            return self._one("platform = ? and post_ref = ?", [platform, post_ref])
        except StoreUnavailable as exc:
            self._lost("lookup", exc)
            return None

    def by_message(self, platform: str, message_ref: str) -> Handoff | None:
        """The latest handoff of the question at `message_ref` (e.g. a save from the original thread)."""
        try:
            rows = self.store.fetch(f"select {', '.join(COLUMNS)} from handoffs where platform = ? and message_ref = ? "
                                    "order by id desc limit 1", [platform, message_ref])
        except StoreUnavailable as exc:
            self._lost("lookup", exc)
            return None
        return Handoff.from_row(rows[0]) if rows else None

    def recent_question(self, conversation: str) -> str:
        """The latest question the bot could not answer in a conversation (the audit log's
        `conversation`, e.g. "slack:C123:1700000000.000100"), redacted; "" if none or not stored.
        Prefills "Save as FAQ" when a person answered in the original thread."""
        try:
            rows = self.store.fetch("select text_redacted from audit where conversation = ? and route = 'unknown' "
                                    "and coalesce(text_redacted, '') != '' order by id desc limit 1", [conversation])
        except StoreUnavailable as exc:
            self._lost("lookup", exc)
            return ""
        return rows[0][0] if rows else ""

    # -- answers and learning -------------------------------------------------------------------
    def answered(self, platform: str, post_ref: str, user_id: str, text: str) -> Handoff | None:
        """A person wrote `text` in the handoff thread `post_ref`: the handoff counts as answered
        by people, and the text (redacted) prefills "Save as FAQ". None if it is no handoff thread."""
        handoff = self.by_post(platform, post_ref)
        if handoff is None:
            return None
        handoff.answer = self._redact(text, MAX_ANSWER_CHARS)
        state = "saved" if handoff.state == "saved" else "answered"
        self._update("answer", "update handoffs set state = ?, answer = ?, answered_by = ?, "
                     "answered_at = coalesce(answered_at, ?) where id = ?",
                     [state, handoff.answer, self.audit.user_hash(platform, user_id), now_iso(), handoff.id])
        handoff.state = state
        return handoff

    def saved(self, handoff_id: int | None, faq_id: str, admin_user_id: str, platform: str = "") -> None:
        if handoff_id is not None:
            self._update("save", "update handoffs set state = 'saved', faq_id = ?, saved_at = ?, saved_by = ?, "
                         "answered_at = coalesce(answered_at, ?) where id = ?",
                         [faq_id, now_iso(), self.audit.user_hash(platform, admin_user_id), now_iso(), handoff_id])
