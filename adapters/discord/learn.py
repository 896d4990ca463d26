""""Save as FAQ": a button on the handoff post and a message context-menu command, for admins. Both
open a modal prefilled with the asker's question, the chosen answer and a suggested id; the
submission is checked and appended to faq/learned.yaml by bot.knowledge.learn, the knowledge is
reloaded, and the entry id is posted in the thread.

Modals are answered from their submitted data alone (custom_id "hb:faqform:<handoff id or 0>"),
so a form opened before a restart still saves."""

from __future__ import annotations

import asyncio
import logging
import re

import discord
from discord import app_commands

from bot import strings
from bot.handoff.learn import LearnedEntry, SaveRefused, parse_questions, prefill, saved_text

from adapters.discord.access import is_admin
from adapters.discord.render import CONTENT_MAX, NO_MENTIONS, fit
from adapters.discord.respond import first_claim

log = logging.getLogger(__name__)

FORM = re.compile(r"hb:faqform:(?P<handoff_id>[0-9]{1,18})")
LABEL_MAX, INPUT_MAX, HISTORY = 45, 4000, 20
FIELDS = ("questions", "answer", "id", "url")


def form(handoff_id: int | None, values: dict[str, str]) -> discord.ui.Modal:
    """The "Save as FAQ" modal, prefilled with `values`. It is only sent, never kept: its submission
    is read in `on_modal_submit`."""
    modal = discord.ui.Modal(title=fit(strings.SAVE_FAQ_TITLE, LABEL_MAX), custom_id=f"hb:faqform:{handoff_id or 0}")
    specs = {
        "questions": (strings.SAVE_FAQ_QUESTIONS_LABEL, discord.TextStyle.paragraph, True),
        "answer": (strings.SAVE_FAQ_ANSWER_LABEL, discord.TextStyle.paragraph, True),
        "id": (strings.SAVE_FAQ_ID_LABEL, discord.TextStyle.short, True),
        "url": (strings.SAVE_FAQ_URL_LABEL, discord.TextStyle.short, False),
    }
    for name, (label, style, required) in specs.items():
        value = (values.get(name) or "")[:INPUT_MAX]
        modal.add_item(discord.ui.TextInput(label=fit(label, LABEL_MAX), style=style, custom_id=name,
                                            default=value or None, required=required, max_length=INPUT_MAX))
    modal.stop()  # not stored in discord.py's view store: on_modal_submit reads the submission
    return modal


async def open_form(interaction: discord.Interaction, handoff, answer_text: str, question: str = "") -> None:
    """Admins get the form prefilled with the handoff's question (or `question`), `answer_text` and a
    suggested id; anyone else an ephemeral refusal."""
    client = interaction.client
    if not is_admin(interaction.user, client.settings):
        await interaction.response.send_message(strings.SAVE_FAQ_ADMINS_ONLY, ephemeral=True)
        return
    taken = await asyncio.to_thread(client.faq.taken_ids)
    values = prefill((handoff.question if handoff else "") or question, answer_text, taken)
    await interaction.response.send_modal(form(handoff.id if handoff else None, values))


class SaveFaqButton(discord.ui.DynamicItem[discord.ui.Button], template=r"hb:faq:(?P<handoff_id>[0-9]{1,18})"):
    """"Save as FAQ" on the handoff post (the top of its thread)."""

    def __init__(self, handoff_id: int):
        super().__init__(discord.ui.Button(label=strings.SAVE_FAQ_BUTTON, style=discord.ButtonStyle.success,
                                           custom_id=f"hb:faq:{handoff_id}"))
        self.handoff_id = handoff_id

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: discord.ui.Button, match: re.Match[str], /):
        return cls(int(match["handoff_id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        client = interaction.client
        if not await first_claim(interaction):
            return
        try:
            handoff = await asyncio.to_thread(client.desk.by_id, self.handoff_id)
            answer = (handoff.answer if handoff else "") or await latest_answer(client, handoff)
            await open_form(interaction, handoff, answer)
        except Exception as exc:  # noqa: BLE001 - a failed click must not go unanswered
            await client.report_error(interaction, exc)


async def latest_answer(client, handoff) -> str:
    """The newest message a person wrote in the handoff thread (when none was recorded)."""
    if handoff is None or not handoff.post_ref or not handoff.post_ref.isdigit():
        return ""
    thread = client.get_partial_messageable(int(handoff.post_ref))
    try:
        async for message in thread.history(limit=HISTORY):
            if not message.author.bot and message.content.strip():
                return message.content
    except discord.HTTPException as exc:
        log.warning("discord: cannot read handoff thread %s (%s)", handoff.post_ref, exc.status)
    return ""


@app_commands.context_menu(name=strings.SAVE_FAQ_BUTTON)
@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
async def save_as_faq(interaction: discord.Interaction, message: discord.Message) -> None:
    """Message command: the selected message becomes the answer of a new FAQ entry."""
    client = interaction.client
    channel = message.channel
    handoff = None
    if isinstance(channel, discord.Thread):
        handoff = await asyncio.to_thread(client.desk.by_post, "discord", str(channel.id))
    question = "" if handoff else await asked_near(client, message)
    await open_form(interaction, handoff, message.content, question)


async def asked_near(client, message: discord.Message) -> str:
    """The question a message answers, without a handoff record, redacted as in the audit log: the
    message it replies to; in a thread, the last question the bot could not answer for the person
    who started it (a forum post's author), else the thread's name (named after the question)."""
    ref = message.reference
    if ref is not None and ref.message_id:
        found = ref.resolved if isinstance(ref.resolved, discord.Message) else None
        if found is None:
            try:
                found = await message.channel.fetch_message(ref.message_id)
            except discord.HTTPException:
                found = None
        if found is not None and not found.author.bot and found.content.strip():
            return client.helpbot.guard.redact_text(found.content)
    thread = message.channel
    if not isinstance(thread, discord.Thread):
        return ""
    asked = await asyncio.to_thread(client.desk.recent_question, f"discord:{thread.id}:{thread.owner_id}")
    return asked or client.helpbot.guard.redact_text(thread.name or "")


async def on_modal_submit(client, interaction: discord.Interaction) -> None:
    """A "Save as FAQ" form came back: check, save, reload, and say so in the thread."""
    match = FORM.fullmatch((interaction.data or {}).get("custom_id", ""))
    if match is None or not await first_claim(interaction):
        return
    try:
        await _submit(client, interaction, int(match["handoff_id"]) or None)
    except Exception as exc:  # noqa: BLE001 - a failed save must not go unanswered
        await client.report_error(interaction, exc)


def submitted(interaction: discord.Interaction) -> dict[str, str]:
    """The modal's values by input custom_id (rows of text inputs, or labels around them)."""
    values: dict[str, str] = {}
    for row in (interaction.data or {}).get("components", []):
        for item in row.get("components") or [row.get("component") or {}]:
            if item.get("custom_id") in FIELDS:
                values[item["custom_id"]] = item.get("value") or ""
    return values


async def _submit(client, interaction: discord.Interaction, handoff_id: int | None) -> None:
    if not is_admin(interaction.user, client.settings):
        await interaction.response.send_message(strings.SAVE_FAQ_ADMINS_ONLY, ephemeral=True)
        return
    values = submitted(interaction)
    await interaction.response.defer(ephemeral=True, thinking=True)
    entry = LearnedEntry(id=values.get("id", "").strip(), questions=parse_questions(values.get("questions", "")),
                         answer=values.get("answer", "").strip(), url=values.get("url", "").strip() or None)
    errors = await asyncio.to_thread(client.faq.check, entry)
    if not errors:
        try:
            faq_id, result = await client.faq.save_and_reload(entry, f"discord:{interaction.user.id}")
        except SaveRefused as refused:
            errors = refused.errors
    if errors:
        await refuse(interaction, handoff_id, values, errors)
        return
    handoff = None
    if handoff_id is not None:
        await asyncio.to_thread(client.desk.saved, handoff_id, faq_id, str(interaction.user.id), "discord")
        handoff = await asyncio.to_thread(client.desk.by_id, handoff_id)
    text = fit(saved_text(faq_id, interaction.user.mention, result), CONTENT_MAX)
    await announce(client, interaction, handoff, text)
    await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)


async def announce(client, interaction: discord.Interaction, handoff, text: str) -> None:
    """The entry id, in the handoff thread (or where the form was opened) for everyone to see."""
    thread = client.get_partial_messageable(int(handoff.post_ref)) if handoff and (handoff.post_ref or "").isdigit() \
        else interaction.channel
    try:
        await thread.send(text, allowed_mentions=NO_MENTIONS)
    except (discord.HTTPException, AttributeError) as exc:
        log.warning("discord: saved, but cannot say so in channel %s (%s)", getattr(thread, "id", "?"), exc)


class Retry(discord.ui.View):
    """Under a refused form: reopen it with what the admin typed."""

    def __init__(self, handoff_id: int | None, values: dict[str, str]):
        super().__init__(timeout=900)
        self.handoff_id, self.values = handoff_id, values
        button = discord.ui.Button(label=strings.SAVE_FAQ_RETRY, style=discord.ButtonStyle.primary)
        button.callback = self.reopen
        self.add_item(button)

    async def reopen(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(form(self.handoff_id, self.values))


async def refuse(interaction: discord.Interaction, handoff_id: int | None, values: dict[str, str],
                 errors: dict[str, str]) -> None:
    """Tell the admin (only) what to fix, with a button that reopens the form as they filled it."""
    labels = {"questions": strings.SAVE_FAQ_QUESTIONS_LABEL, "answer": strings.SAVE_FAQ_ANSWER_LABEL,
              "id": strings.SAVE_FAQ_ID_LABEL, "url": strings.SAVE_FAQ_URL_LABEL}
    lines = [strings.SAVE_FAQ_REFUSED] + [f"- {labels.get(k, k)}: {v}" for k, v in errors.items()]
    await interaction.followup.send(fit("\n".join(lines), CONTENT_MAX), ephemeral=True,
                                    view=Retry(handoff_id, values), allowed_mentions=NO_MENTIONS)
