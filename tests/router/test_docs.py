"""Doc retrieval and the answerability decision: passages, heading paths, near-duplicate sections,
salient sentences, and real replies (real model, real SQLite index) on a docs-only knowledge folder."""

from __future__ import annotations

import numpy as np
import pytest

from bot import strings
from bot.knowledge.markdown import split_sections
from bot.messages import Message
from bot.search import passages
from bot.search.passages import PassageIndex, duplicate_groups, terms, windows
from tests.knowledge.helpers import make_kb

SCOPE = "service: Tidepool\ndescription: Tidepool, an app for booking swimming lanes.\ncontact: \"#pool-help\"\n"
CONTACT = ("If something here does not work, write to the front desk with your booking number and the lane you "
           "reserved. The front desk answers on weekdays between nine and five, and urgent safety matters by phone.")
DOCS = {
    "bookings.md": f"""---
url: https://help.tidepool.example/bookings
---
# Bookings

## Book a lane

Open the calendar, pick a pool and a free half-hour slot, then press Reserve. A lane booking holds for
ten minutes until you pay; unpaid bookings are released for others.

## Cancel a booking

Bookings can be cancelled from My bookings up to two hours before the slot starts. Cancelling later
costs the full fee, except when the pool closes the lane for maintenance.

### Refunds for cancelled bookings

Money for a booking cancelled in time goes back to the card you paid with within five working days.

## Contact the front desk

{CONTACT}
""",
    "memberships.md": f"""---
url: https://help.tidepool.example/memberships
---
# Memberships

## Membership levels

Splash members book one lane a week; Dolphin members book up to five lanes a week and bring a guest.

## Freeze a membership

A membership can be frozen for up to three months a year for travel or injury; the monthly charge stops
while it is frozen.

## Contact the front desk

{CONTACT}
""",
    "lockers.md": f"""---
url: https://help.tidepool.example/lockers
---
# Lockers

## Rent a locker

Lockers are rented per month at the reception kiosk. Bring your own padlock or buy one at the kiosk.

## Lost locker key

A lost key is replaced at reception for a small fee after you show the membership card.

## Contact the front desk

{CONTACT}
""",
}


# -- plain logic ---------------------------------------------------------------------------------
def test_long_sections_become_overlapping_windows_and_short_ones_keep_their_text():
    text = " ".join(f"w{i}" for i in range(250))
    parts = windows(text)
    assert len(parts) == 4 and parts[0].split()[0] == "w0" and parts[-1].split()[-1] == "w249"
    assert parts[1].split()[0] == f"w{passages.STRIDE_WORDS}"
    assert windows("short text") == ["short text"]


def test_heading_path_is_kept_for_nested_sections():
    _, sections = split_sections("# Page\n\n## Billing\nintro\n### Invoices\nx\n#### Old invoices\ny\n## Plans\nz\n")
    by = {s.heading: s.parents for s in sections}
    assert by == {"Billing": (), "Invoices": ("Billing",), "Old invoices": ("Billing", "Invoices"), "Plans": ()}


def test_copies_of_a_paragraph_share_a_group_and_different_text_does_not():
    edited = CONTACT.replace("weekdays", "working days")
    other = "Lockers are rented per month at the reception kiosk and need your own padlock."
    groups = duplicate_groups([CONTACT, other, CONTACT, edited])
    assert groups[0] == groups[2] == groups[3] != groups[1]


def test_terms_are_stemmed_alike_on_both_sides():
    assert terms("Cancelling bookings") == terms("cancelled booking") == terms("cancel books") == ["cancel", "book"]


def test_salient_sentences_drop_small_talk_and_keep_the_question_and_its_context(embedder):
    from bot.knowledge import Chunk
    from bot.routing.docs import salient_text

    chunks = [Chunk(f"docs/p.md#{i}", "doc", "Page: " + h, None, t) for i, (h, t) in
              enumerate([("Freeze a membership", "A membership can be frozen for travel or injury."),
                         ("Lost locker key", "A lost key is replaced at reception.")])]
    index = PassageIndex.build(chunks, embedder.embed_batch)
    text = "Hello there. How are you doing today? I'm travelling abroad for two months. Can I freeze my membership?"
    assert salient_text(text, index) == "I'm travelling abroad for two months. Can I freeze my membership?"
    assert salient_text("Can I freeze my membership?", index) == "Can I freeze my membership?"


# -- real replies --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def docs_bot(tmp_path_factory, embedder):
    from bot.config import load_settings
    from bot.core.pipeline import HelpBot

    home = tmp_path_factory.mktemp("docs-home")
    root = make_kb(tmp_path_factory.mktemp("docs-kb"), faq=None, docs=DOCS, scope=SCOPE)
    return HelpBot(load_settings(env={"HELPBOT_HOME": str(home)}), root, embedder=embedder)


def ask(bot, text: str, n: int = 0):
    return bot.answer_sync(Message(text, user_id=f"u{n}", channel_id=f"c{n}"), audit=False)


def test_a_specific_question_is_answered_from_its_section(docs_bot):
    reply = ask(docs_bot, "Hi! How are you doing today? How long does a refund for a cancelled booking take to reach my card?", 1)
    assert reply.route == "answer", reply.to_dict()
    assert reply.source == "docs/bookings.md#refunds-for-cancelled-bookings"
    assert "match.doc" in reply.reasons and "five working days" in reply.answer


def test_an_unclear_question_lists_the_closest_sections_with_links_and_the_contact(docs_bot):
    reply = ask(docs_bot, "What about the fee?", 2)  # three sections mention a fee
    assert reply.route == "unknown", reply.to_dict()
    assert "closest_sections" in reply.reasons
    lines = reply.answer.splitlines()
    assert lines[0] == strings.CLOSEST_SECTIONS
    assert 1 <= len(reply.sources) <= 3
    for n, source in enumerate(reply.sources, start=1):
        assert lines[n] == f"{n}. [{source.title}]({source.url})"
    assert lines[-1] == "You can ask the team at #pool-help."
    assert len({s.id for s in reply.sources}) == len(reply.sources)


def test_copies_of_one_paragraph_are_one_candidate(docs_bot):
    reply = ask(docs_bot, "When is the front desk open and how do I write to them?", 3)
    ids = [s.id for s in reply.sources]
    assert ids and ids[0].endswith("#contact-the-front-desk")
    assert sum(i.endswith("#contact-the-front-desk") for i in ids) == 1  # the copies are not the alternatives
    if reply.route == "answer":
        assert "ambiguous" not in reply.reasons


def test_an_off_topic_request_is_not_answered_from_the_docs(docs_bot):
    reply = ask(docs_bot, "Write me a poem about the autumn leaves", 4)
    assert reply.route == "refuse" and not reply.sources, reply.to_dict()


def test_the_doc_path_reads_the_one_embedding_the_message_already_has(docs_bot, embedder, monkeypatch):
    calls = []
    real = type(embedder).embed_batch

    def counting(self, texts):
        calls.append(list(texts))
        return real(self, texts)

    monkeypatch.setattr(type(embedder), "embed_batch", counting)
    reply = ask(docs_bot, "Can I freeze my membership while I travel?", 5)
    assert reply.source == "docs/memberships.md#freeze-a-membership"
    assert len(calls) == 1 and len(calls[0]) == 1  # one model pass, one text


def test_reply_scores_show_the_doc_decision(docs_bot):
    reply = ask(docs_bot, "How do I rent a locker?", 6)
    scores = reply.to_dict()["scores"]
    assert {"doc_p_answer", "doc_threshold", "doc_cosine", "doc_floor"} <= set(scores)
    assert np.isfinite(list(scores.values())).all()


def test_a_rebuild_reuses_unchanged_sections_and_matches_a_build_from_scratch(tmp_path, embedder):
    from bot.knowledge import load_knowledge
    from bot.search.passages import PassageCache

    calls: list[list[str]] = []

    def embed(texts):
        calls.append(list(texts))
        return embedder.embed_batch(texts)

    root = make_kb(tmp_path / "kb", faq=None, docs=DOCS, scope=SCOPE)
    cache = PassageCache()
    PassageIndex.build(load_knowledge(root).chunks, embed, cache, "m1")
    page = root / "docs" / "memberships.md"
    page.write_text(page.read_text().replace("three months a year", "four months a year"), encoding="utf-8")
    chunks = load_knowledge(root).chunks
    calls.clear()
    cached = PassageIndex.build(chunks, embed, cache, "m1")
    assert len(calls) == 1 and len(calls[0]) == 1 and "four months" in calls[0][0]  # only the edited section
    fresh = PassageIndex.build(chunks, embedder.embed_batch)
    assert np.array_equal(cached.group, fresh.group) and np.allclose(cached.vectors, fresh.vectors, atol=1e-6)
    assert cached.idf == fresh.idf and cached.lengths.tolist() == fresh.lengths.tolist()
    assert {t: v[0].tolist() for t, v in cached.postings.items()} == {t: v[0].tolist() for t, v in fresh.postings.items()}
    calls.clear()
    PassageIndex.build(chunks, embed, cache, "m2")  # another embedding model: nothing reused
    assert sum(map(len, calls)) == len(fresh.vectors)
