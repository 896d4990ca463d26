"""Calibration: leave-one-out geometry, the small fitting helpers, and the fit on a real knowledge base."""

import shutil

import numpy as np
import pytest
from click.testing import CliRunner

from bot.routing import calibrate
from bot.search.index import SearchIndex
from bot.knowledge import Chunk
from bot.routing.features import Geometry, feature_matrix
from bot.routing.keywords import Keywords


def unit(v):
    v = np.asarray(v, np.float32)
    return v / np.linalg.norm(v)


@pytest.fixture
def toy():
    chunks = [
        Chunk("a", "faq", "pay", None, "Pay by card.", ("pay invoice", "pay bill", "settle invoice")),
        Chunk("b", "faq", "invite", None, "Invite people.", ("invite member", "add teammate")),
        Chunk("c", "doc", "Guide", None, "A guide."),
    ]
    rows = np.stack([unit([1, 0.1, 0]), unit([1, 0.3, 0]), unit([1, -0.2, 0.1]), unit([0, 1, 0]), unit([0.1, 1, 0.2]), unit([0, 0, 1])])
    return Geometry(SearchIndex.from_vectors(chunks, rows)), rows


def test_leave_one_out_hides_the_row_from_its_entry(toy):
    geometry, rows = toy
    held = np.array([0, 3, 5])
    loo = geometry.entry_scores(rows[held], 1.0, held)
    rest = unit(rows[1] + rows[2])
    assert loo[0, 0] == pytest.approx(float(rows[0] @ rest), abs=1e-5)  # centroid of the other two
    assert loo[1, 1] == pytest.approx(float(rows[3] @ rows[4]), abs=1e-5)  # one phrasing left
    assert loo[2, 2] == -2.0  # the doc's only row is hidden: nothing left to match
    best = geometry.entry_scores(rows[held], 0.0, held)
    assert best[0, 0] == pytest.approx(max(rows[0] @ rows[1], rows[0] @ rows[2]), abs=1e-5)


def test_feature_matrix_matches_top_two(toy):
    geometry, rows = toy
    scores = geometry.entry_scores(rows[:2], 0.0)
    feats = feature_matrix(geometry, scores)
    top = np.sort(scores, axis=1)[:, ::-1]
    assert np.allclose(feats[:, 0], top[:, 0]) and np.allclose(feats[:, 1], top[:, 0] - top[:, 1])
    best = scores.argmax(1)
    assert np.allclose(feats[:, 2], top[:, 0] - geometry.tightness[best])
    hidden = feature_matrix(geometry, scores, without=best.tolist())  # the best entry hidden whole
    assert np.allclose(hidden[:, 0], top[:, 1])


def test_tightness_is_how_close_an_entrys_phrasings_are(toy):
    geometry, rows = toy
    # entry a: each phrasing against the mean of the other two; entry b: its two phrasings' cosine
    a = np.mean([rows[i] @ unit(rows[j] + rows[k]) for i, j, k in ((0, 1, 2), (1, 0, 2), (2, 0, 1))])
    assert geometry.tightness[0] == pytest.approx(a, abs=1e-5)
    assert geometry.tightness[1] == pytest.approx(float(rows[3] @ rows[4]), abs=1e-5)
    assert geometry.tightness[2] == pytest.approx(np.median(geometry.tightness[:2]), abs=1e-5)  # one row: the median


def test_near_misses_hide_the_phrasings_own_entry(toy):
    geometry, rows = toy
    near = calibrate.near_misses(geometry, 0.0, 0.0)
    assert near.shape == (5, 3)  # every FAQ phrasing, none of the doc
    scores = geometry.entry_scores(rows[:5], 0.0)
    own = geometry.row_chunk[:5]
    for i in range(5):
        others = np.delete(scores[i], own[i])
        assert near[i, 0] == pytest.approx(others.max(), abs=1e-5)
    assert len(calibrate.near_misses(geometry, 0.0, 0.0, most=2)) == 2
    two = Geometry(SearchIndex.from_vectors(geometry.index.chunks[1:], rows[3:]))  # an FAQ entry and a doc
    assert np.isfinite(calibrate.near_misses(two, 0.0, 0.0)).all()  # nothing left but one entry: gap 1, not inf


def test_keywords_leave_one_out_removes_the_phrasing_words(toy):
    keywords = Keywords(toy[0].index.chunks)
    assert keywords.scores("settle")[0] == 1.0
    assert keywords.scores("settle", holdout=(0, "settle invoice"))[0] == 0.0  # only that phrasing said it
    assert keywords.scores("invoice", holdout=(0, "settle invoice"))[0] == 1.0  # "pay invoice" still does


def test_fit_logistic_separates_and_threshold_balances_groups():
    rng = np.random.default_rng(0)
    x = np.r_[rng.normal(1, 0.3, (50, 1)), rng.normal(-1, 0.3, (50, 1))]
    y = np.r_[np.ones(50), np.zeros(50)]
    w = calibrate.fit_logistic(x, y)
    assert w[1] > 0
    t, acc = calibrate.best_threshold(np.array([0.8, 0.9, 0.95]), np.array([0.1, 0.2]), np.array([0.3, 0.85]))
    assert 0.3 < t <= 0.8 and acc == pytest.approx(0.875)


def test_margin_is_zero_without_close_calls():
    gaps = np.full(20, 0.5)
    assert calibrate.fit_margin(gaps, np.ones(20, bool), np.ones(20, bool)) == 0.0
    close = np.r_[np.full(10, 0.01), np.full(20, 0.5)]
    right = np.r_[np.zeros(10, bool), np.ones(20, bool)]
    assert calibrate.fit_margin(close, right, np.ones(30, bool)) > 0.01


def test_calibration_of_the_sample_knowledge(bot):
    cal = bot.snapshot.calibration
    assert 0 < cal.answer_threshold < 1 and 0 < cal.scope_threshold < 1
    assert cal.alpha in calibrate.ALPHAS and cal.beta in calibrate.BETAS
    point = cal.operating_point
    for key in ("heldout_answered_right", "out_of_scope_declined", "heldout_phrasings", "folds"):
        assert key in point
    assert point["out_of_scope_declined"] > 0.8  # generic requests, held-out folds
    assert calibrate.Calibration.from_json(cal.to_json()) == cal


def test_knowledge_change_refits_calibration(make_bot, sample_knowledge, tmp_path):
    knowledge = tmp_path / "kb"
    shutil.copytree(sample_knowledge, knowledge)
    first = make_bot(knowledge, tmp_path / "home").snapshot.calibration
    faq = knowledge / "faq" / "members.yaml"
    faq.write_text(faq.read_text(encoding="utf-8").replace("How do I resend an invite?", "How can I send an invitation again?"), encoding="utf-8")
    second = make_bot(knowledge, tmp_path / "home").snapshot.calibration
    assert first.key != second.key


def test_calibrate_command_prints_operating_point(sample_knowledge, tmp_path, monkeypatch):
    from bot.cli import main

    monkeypatch.setenv("HELPBOT_HOME", str(tmp_path))
    result = CliRunner().invoke(main, ["calibrate", "--knowledge", str(sample_knowledge)])
    assert result.exit_code == 0, result.output
    assert "answer when p >=" in result.output and "out-of-scope declined" in result.output
    result = CliRunner().invoke(main, ["calibrate", "--knowledge", str(sample_knowledge), "--json"])
    assert result.exit_code == 0 and '"answer_threshold"' in result.output


def test_stable_sample_keeps_its_choice_when_other_entries_change():
    def geometry(n):
        chunks = [Chunk(f"e{i}", "faq", f"q{i}", None, "a", (f"how to do thing {i}", f"way to do thing {i}")) for i in range(n)]
        rows = np.random.default_rng(0).normal(size=(2 * n, 4)).astype(np.float32)
        return Geometry(SearchIndex.from_vectors(chunks, rows / np.linalg.norm(rows, axis=1, keepdims=True)))

    small, big = geometry(50), geometry(60)
    picked = calibrate.heldout_rows(small, most=30)
    assert len(picked) == 30 and np.array_equal(picked, calibrate.heldout_rows(small, most=30))
    texts = {small.row_texts[r] for r in picked}
    again = {big.row_texts[r] for r in calibrate.heldout_rows(big, most=30)}
    assert len(texts & again) >= 24  # ten more entries: most of the sample stays the same
    assert len(calibrate.heldout_rows(small)) == 100  # under the cap: every phrasing
