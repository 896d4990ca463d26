"""A 2,000+ character answer from a real (temporary) knowledge folder stays within Discord's limits."""

from __future__ import annotations

import textwrap

import pytest
from discord_support import make_helpbot
from fake_discord import ALICE, BOT_ID, BOT_USER

from adapters.discord.render import DESCRIPTION_MAX, EMBED_TOTAL_MAX, FIELD_MAX, TITLE_MAX

LONG_URL = "https://help.quillbox.example/export/full"
STEPS = " ".join(
    f"Step {n}: open Settings, choose Export, pick the {kind} archive and wait for the email with the download link."
    for n, kind in enumerate(["projects", "notes", "files", "comments", "history", "members"] * 9, start=1)
)


@pytest.fixture(scope="module")
def long_helpbot(tmp_path_factory):
    root = tmp_path_factory.mktemp("long-kb")
    (root / "faq").mkdir()
    (root / "scope.yaml").write_text(
        "service: Quillbox\ndescription: Quillbox is a shared notebook service; this bot answers how to use it.\n"
        "topics: [exports, accounts, sharing]\n",
        encoding="utf-8",
    )
    entries = {
        "export-everything": (["How do I export all my data?", "Can I download a full export?", "Export every notebook"], STEPS, LONG_URL),
        "reset-password": (["How do I reset my password?", "I forgot my password", "Change my password"], "Use Forgot password on the sign-in page.", None),
        "share-notebook": (["How do I share a notebook?", "Invite someone to a notebook", "Give a colleague access to my notes"], "Open the notebook and click Share.", None),
        "delete-account": (["How do I delete my account?", "Close my Quillbox account", "Remove my account for good"], "Go to Settings, Account, Delete account.", None),
    }
    lines = []
    for entry_id, (questions, answer, url) in entries.items():
        lines.append(f"- id: {entry_id}\n  questions:\n" + "".join(f"    - {q}\n" for q in questions))
        lines.append("  answer: >-\n" + textwrap.indent(textwrap.fill(answer, 100), "    ") + "\n")
        if url:
            lines.append(f"  url: {url}\n")
    (root / "faq" / "all.yaml").write_text("".join(lines), encoding="utf-8")
    return make_helpbot(tmp_path_factory.mktemp("long-home"), root)


def check_limits(embed: dict) -> None:
    total = len(embed.get("title", "")) + len(embed["description"]) + len(embed["footer"]["text"])
    total += sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
    assert len(embed.get("title", "")) <= TITLE_MAX
    assert len(embed["description"]) <= DESCRIPTION_MAX
    assert all(len(f["value"]) <= FIELD_MAX for f in embed.get("fields", []))
    assert total <= EMBED_TOTAL_MAX


async def test_long_answer_is_trimmed_with_a_link_to_the_source(long_helpbot, start_bot):
    assert len(STEPS) > 4096  # longer than an embed description, let alone a message
    async with start_bot(long_helpbot) as (fake, client):
        ask = fake.slash("ask", {"question": "How do I export all my data?"}, author=ALICE)
        await fake.dispatch("INTERACTION_CREATE", ask)
        slash = (await fake.followup_for(ask)).json
        msg = fake.message_create(f"<@{BOT_ID}> How do I export all my data?", author=ALICE, mentions=[BOT_USER])
        await fake.dispatch("MESSAGE_CREATE", msg)
        mention = (await fake.wait_request("POST", r"/channels/\d+/messages")).json
    for body in (slash, mention):
        (embed,) = body["embeds"]
        check_limits(embed)
        assert embed["description"].startswith("Step 1: open Settings")
        assert embed["description"].endswith(f"…\n\nRead the rest: {LONG_URL}")
        assert len(body.get("content") or "") <= 2000
