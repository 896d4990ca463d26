"""Escaping and Block Kit layout, without Slack."""

from __future__ import annotations

import json
import re

from hypothesis import given
from hypothesis import strategies as st

from adapters.slack.format import WORD_JOINER, escape, reflow, reply_blocks, split_sections, to_mrkdwn, to_plain
from bot.messages import Reply, Source
from bot import strings

PINGS = st.sampled_from(["<!channel>", "<!here>", "<!everyone>", "<@U999>", "@everyone", "@here", "@channel", "@Here", "<", ">", "&", "|", "[x](https://a.example)", "**"])


@given(st.lists(st.one_of(st.text(max_size=20), PINGS), max_size=12).map("".join))
def test_escaped_text_can_never_ping_or_link(text):
    for out in (escape(text), to_mrkdwn(text)):
        assert "<!" not in out and "<@" not in out
        assert not re.search(r"@(everyone|here|channel)", out, re.I)
    assert "<" not in escape(text) and ">" not in escape(text)


def test_escape_keeps_text_readable():
    assert escape("a < b & c > d") == "a &lt; b &amp; c &gt; d"
    assert escape("ping @here now") == f"ping @{WORD_JOINER}here now"


def test_to_plain_turns_slack_markup_into_words():
    text = "<@UHELPBOT> hi <@U42|bob>, see <https://x.example/a?b=1&amp;c=2|the docs> in <#C1|general> &lt;3 <!here>"
    assert to_plain(text, "UHELPBOT") == "hi @bob, see the docs in #general <3 @here"
    assert to_plain("<https://x.example>") == "https://x.example"


def test_markdown_knowledge_becomes_mrkdwn():
    md = "Open **Settings** and read [the guide](https://d.example/g?a=1|2).\nThis line was\nwrapped.\n\n- one\n  continued\n- two\n\n```\nkeep\n  this\n```"
    out = to_mrkdwn(md)
    assert "*Settings*" in out
    assert "<https://d.example/g?a=1%7C2|the guide>" in out
    assert "This line was wrapped." in out
    assert "• one continued\n• two" in out
    assert "```\nkeep\n  this\n```" in out
    assert reflow("a\nb") == "a b"


def test_long_answers_are_split_into_sections_under_the_limit():
    text = ("word " * 700 + "\n\n") * 3
    pieces = split_sections(text, 3000)
    assert len(pieces) >= 4 and all(0 < len(p) <= 3000 for p in pieces)
    assert " ".join(" ".join(pieces).split()) == " ".join(text.split())


def test_reply_layout_per_route():
    answer = Reply("answer", "Do this.", sources=[Source("a", "A <title>", "https://a.example/x", 0.9), Source("b", "B", None, 0.8)],
                   notes=["Did you mean: B?"], audit_id=7)
    text, blocks = reply_blocks(answer)
    assert text == "Do this."
    assert [b["type"] for b in blocks] == ["section", "context", "context", "actions"]
    assert blocks[2]["elements"][0]["text"] == "Sources: <https://a.example/x|A &lt;title&gt;> · B"
    assert [json.loads(e["value"]) for e in blocks[3]["elements"]][0] == {"ref": 7, "route": "answer", "source": "a"}
    refuse = Reply("refuse", "Sorry.", audit_id=8, ephemeral=True)
    assert [e["action_id"] for e in reply_blocks(refuse)[1][-1]["elements"]][-1] == "helpbot_feedback_should_have_answered"
    smalltalk = Reply("smalltalk", "Hi!", audit_id=9)
    assert [b["type"] for b in reply_blocks(smalltalk)[1]] == ["section"]
    assert [b["type"] for b in reply_blocks(Reply("answer", "x"))[1]] == ["section"], "no audit id: nothing to attach feedback to"


def closest_reply() -> Reply:
    """A 'closest sections' reply as the composer makes it (real chunks, hits and decision)."""
    from bot.knowledge import Chunk
    from bot.routing.compose import closest_reply as compose_closest
    from bot.routing.router import PartDecision
    from bot.search.index import Hit

    chunks = [Chunk("docs/billing.md#invoices", "doc", "Billing: Invoices [PDF]", "https://help.example/billing", "x"),
              Chunk("docs/billing.md#refunds", "doc", "Billing: Refunds <@U1>", "https://help.example/billing#refunds", "x"),
              Chunk("docs/plans.md#intro", "doc", "Plans", None, "x")]
    decision = PartDecision("money?", "unknown", [Hit(c, 0.5 - i / 10, 0.0) for i, c in enumerate(chunks)],
                            reasons=["scope.in", "closest_sections"])
    reply = compose_closest(decision, "#help-desk", {}, ["scope.in", "closest_sections"])
    reply.audit_id = 11
    return reply


def test_closest_sections_are_one_compact_list_of_title_links():
    reply = closest_reply()
    assert [s.id for s in reply.sources] == ["docs/billing.md#invoices", "docs/billing.md#refunds", "docs/plans.md#intro"]
    text, blocks = reply_blocks(reply)
    assert [b["type"] for b in blocks] == ["section", "actions"]  # no separate sources line: the list links them
    assert blocks[0]["text"]["text"] == (
        f"{strings.CLOSEST_SECTIONS}\n• <https://help.example/billing|Billing: Invoices (PDF)>\n"
        "• <https://help.example/billing#refunds|Billing: Refunds &lt;@U1&gt;>\n• Plans\n\nYou can ask the team at #help-desk."
    )
    actions = [e["action_id"] for e in blocks[1]["elements"]]
    assert actions[-1] == "helpbot_feedback_should_have_answered"
