"""Layout, length limits, feedback buttons and admin checks, without a network."""

from __future__ import annotations

from types import SimpleNamespace

import discord
from discord_support import discord_settings
from hypothesis import given
from hypothesis import strategies as st

from adapters.discord.access import is_admin
from adapters.discord.feedback import FeedbackButton, feedback_view
from adapters.discord.render import CONTENT_MAX, DESCRIPTION_MAX, EMBED_TOTAL_MAX, FIELD_MAX, TITLE_MAX, fit, render
from bot import strings
from bot.messages import Reply, Source


def answer(text: str, n_sources: int = 1, title: str = "How do I export?", **extra) -> Reply:
    sources = [Source(f"id-{i}", title, f"https://help.example/{i}", 0.9) for i in range(n_sources)]
    return Reply("answer", text, sources=sources, audit_id=42, **extra)


@given(st.text(min_size=0, max_size=3000), st.integers(min_value=1, max_value=2100))
def test_fit_never_exceeds_the_limit(text, limit):
    out = fit(text, limit, "Read the rest: https://help.example/x")
    assert len(out) <= limit
    if len(text) <= limit:
        assert out == text


def test_long_answer_embed_fits_every_limit_and_links_the_source():
    reply = answer("word " * 3000, n_sources=30, title="T" * 400, notes=["Did you mean: something?"])
    layout = render(reply, "Quillbox")
    (embed,) = layout.embeds
    assert len(embed.title) <= TITLE_MAX and len(embed.description) <= DESCRIPTION_MAX
    assert all(len(f.value) <= FIELD_MAX for f in embed.fields)
    assert len(embed) <= EMBED_TOTAL_MAX
    assert embed.description.endswith("…\n\nRead the rest: https://help.example/0")
    assert embed.fields[0].value.splitlines()[-1].endswith(")")  # sources cut by whole lines
    assert layout.content is None and not layout.ephemeral


def test_notes_follow_the_answer_and_the_footer_names_the_audit_row():
    (embed,) = render(answer("Open Settings.", notes=["Did you mean: Billing?"]), "Quillbox").embeds
    assert embed.description == "Open Settings.\n\nDid you mean: Billing?"
    assert embed.footer.text == "Quillbox help · ref 42"


def test_plain_routes_are_content_and_refusals_are_ephemeral():
    refuse = render(Reply("refuse", "Sorry, I can only help with Quillbox.", ephemeral=True, audit_id=7), "Quillbox")
    assert refuse.content.startswith("Sorry") and refuse.ephemeral and not refuse.embeds
    smalltalk = render(Reply("smalltalk", "x" * 5000, audit_id=8), "Quillbox")
    assert len(smalltalk.content) == CONTENT_MAX and smalltalk.view is None
    assert render(answer("Open Settings."), "Quillbox", private=True).ephemeral


def test_every_layout_pings_nobody():
    kwargs = render(answer("@everyone look"), "Quillbox").kwargs()
    assert kwargs["allowed_mentions"].to_dict() == {"parse": []}


def buttons(reply: Reply) -> list[str]:
    view = feedback_view(reply)
    return [] if view is None else [item.custom_id for item in view.children]


def test_feedback_buttons_follow_the_route():
    assert buttons(answer("x")) == ["hb:fb:helpful:42", "hb:fb:not_helpful:42"]
    assert buttons(Reply("unknown", "?", audit_id=5)) == ["hb:fb:should_have_answered:5"]
    assert buttons(Reply("refuse", "no", audit_id=6)) == ["hb:fb:should_have_answered:6"]
    assert buttons(Reply("block", "no", audit_id=7)) == []
    assert buttons(Reply("smalltalk", "hi", audit_id=8)) == []
    assert buttons(Reply("unknown", strings.ERROR, reasons=["error.pipeline"], audit_id=9)) == []
    assert buttons(Reply("answer", "x")) == []  # no audit row to attach feedback to


def test_feedback_template_accepts_only_our_ids():
    pattern = FeedbackButton.__discord_ui_compiled_template__
    assert pattern.fullmatch("hb:fb:helpful:123")
    for other in ("hb:fb:evil:1", "hb:fb:helpful:abc", "hb:fb:helpful:1:2", "xx:fb:helpful:1"):
        assert not pattern.fullmatch(other)


def member(user_id: int, role_ids=(), role_names=()):
    roles = [SimpleNamespace(id=i, name=n) for i, n in zip(role_ids, role_names or [""] * len(role_ids))]
    return SimpleNamespace(id=user_id, roles=roles)


def test_admins_by_user_id_role_id_or_role_name():
    settings = discord_settings(admin_users=["11"], admin_roles=["500", "Support leads"])
    settings.admin["users"] = ["discord:22"]
    assert is_admin(member(11), settings)
    assert is_admin(member(22), settings)  # from [admin] users
    assert is_admin(member(33, [500]), settings)
    assert is_admin(member(44, [501], ["Support leads"]), settings)
    assert not is_admin(member(55, [501], ["Everyone"]), settings)
    assert not is_admin(discord.Object(id=66), settings)  # a DM user has no roles


def closest_reply() -> Reply:
    """A 'closest sections' reply as the composer makes it (real chunks, hits and decision)."""
    from bot.knowledge import Chunk
    from bot.routing.compose import closest_reply as compose_closest
    from bot.routing.router import PartDecision
    from bot.search.index import Hit

    chunks = [Chunk("docs/billing.md#invoices", "doc", "Billing: Invoices [PDF]", "https://help.example/billing", "x"),
              Chunk("docs/plans.md#intro", "doc", "Plans", None, "x")]
    decision = PartDecision("money?", "unknown", [Hit(c, 0.5, 0.0) for c in chunks], reasons=["closest_sections"])
    reply = compose_closest(decision, "#help-desk", {}, ["scope.in", "closest_sections"])
    reply.audit_id = 12
    return reply


def test_closest_sections_are_one_small_embed_of_title_links():
    layout = render(closest_reply(), "Quillbox")
    (embed,) = layout.embeds
    assert layout.content is None and not layout.ephemeral
    assert embed.title == strings.CLOSEST_SECTIONS and not embed.fields
    assert embed.description == "1. [Billing: Invoices (PDF)](https://help.example/billing)\n2. Plans\n\nYou can ask the team at #help-desk."
    assert layout.view is not None  # feedback buttons, "This should have been answered" among them
