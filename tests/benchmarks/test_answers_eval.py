"""benchmarks/answers_eval.py: the harness on tiny generated data (no ../shared needed), the metrics
checked against systems known to be perfect and known to be wrong, and the gold-section mapping."""

from __future__ import annotations

import json

import numpy as np
import pytest

from benchmarks.answers import clinc, doc2dial
from benchmarks.answers.core import (BM25, CachedEmbedder, NearestNeighbour, Ranked, apply_threshold, doc_metrics,
                                     fit_threshold, mean_worst, scope_metrics)
from tests.conftest import SHARED_DATA

# -- metrics on known systems ------------------------------------------------------------------------------

GOLD = [{"a"}, {"b"}, {"c", "c2"}, {"d"}]


def test_doc_metrics_perfect_and_wrong():
    perfect = [Ranked([next(iter(sorted(g))), "x", "y"], 1.0, True, shown=[next(iter(sorted(g)))]) for g in GOLD]
    assert doc_metrics(perfect, GOLD) == {"questions": 4, "top1": 1.0, "top3": 1.0, "shown3": 1.0,
                                          "answered": 1.0, "precision": 1.0}
    wrong = [Ranked(["x", "y", "z"], 1.0, True) for _ in GOLD]
    assert doc_metrics(wrong, GOLD) == {"questions": 4, "top1": 0.0, "top3": 0.0, "shown3": 0.0,
                                        "answered": 1.0, "precision": 0.0}
    # second place for two, third for one, abstains on half: top1 0.25, top3 1.0, precision 1/2
    mixed = [Ranked(["a"], 1, True), Ranked(["x", "b"], 1, False), Ranked(["x", "y", "c2"], 1, True),
             Ranked(["x", "d", "z"], 1, False)]
    m = doc_metrics(mixed, GOLD)
    assert (m["top1"], m["top3"], m["answered"], m["precision"]) == (0.25, 1.0, 0.5, 0.5)


def test_scope_metrics_perfect_and_wrong():
    gold = ["e1", "e2", None, None, None]
    perfect = [Ranked(["e1"], 0, True), Ranked(["e2"], 0, True), Ranked(["e1"], 0, False), Ranked([], 0, False),
               Ranked(["e2"], 0, False)]
    assert scope_metrics(perfect, gold) == {"in_scope": 2, "in_scope_right": 1.0, "out_of_scope": 3, "out_of_scope_recall": 1.0}
    # answers everything with the wrong entry: nothing in scope right, no out-of-scope row declined
    wrong = [Ranked(["e2"], 0, True), Ranked(["e1"], 0, True)] + [Ranked(["e1"], 0, True)] * 3
    assert scope_metrics(wrong, gold) == {"in_scope": 2, "in_scope_right": 0.0, "out_of_scope": 3, "out_of_scope_recall": 0.0}
    # right entry but not answered outright is not "right"
    shy = [Ranked(["e1"], 0, False), Ranked(["e2"], 0, True)] + [Ranked([], 0, False)] * 3
    assert scope_metrics(shy, gold)["in_scope_right"] == 0.5


def test_mean_and_worst_fold():
    folds = {"p1": {"x": 0.9}, "p2": {"x": 0.5}, "p3": {"x": None}, "p4": {"x": 0.7}}
    assert mean_worst(folds, "x") == {"mean": 0.7, "worst": 0.5, "worst_fold": "p2"}


def test_fit_threshold_balanced_and_precision():
    # separable: in-scope right rows score 0.8-0.9, out-of-scope 0.1-0.3
    scores = [0.9, 0.85, 0.8, 0.3, 0.2, 0.1]
    right = [True, True, True, False, False, False]
    in_scope = [True, True, True, False, False, False]
    assert fit_threshold(scores, right, in_scope, "balanced") == 0.8
    rows = apply_threshold([Ranked(["e"], s) for s in (0.81, 0.79, float("-inf"))], 0.8)
    assert [r.answered for r in rows] == [True, False, False]
    # precision: right at 0.9, 0.8, 0.7; wrong at 0.85 and 0.6 -> 0.8 keeps 2/3 < 0.8? 0.9 (1/1), 0.85 (1/2), 0.8 (2/3),
    # 0.7 (3/4 = 0.75), 0.6 (3/5): only 0.9 reaches 0.80
    s = [0.9, 0.85, 0.8, 0.7, 0.6]
    r = [True, False, True, True, False]
    assert fit_threshold(s, r, [True] * 5, "precision", 0.80) == 0.9
    assert fit_threshold(s, r, [True] * 5, "precision", 0.70) == 0.7
    assert fit_threshold(s, [False] * 5, [True] * 5, "precision") == float("inf")  # never answers
    # all out of scope: best is to answer nothing
    assert fit_threshold([0.5, 0.4], [False, False], [False, False], "balanced") == float("inf")


# -- the harness end to end, on generated data ---------------------------------------------------------------

PAGES = {
    "alpha": {
        "passwords.md": "# Passwords\n\n## Reset a forgotten password\n\nOpen the sign-in page, choose Forgot password and "
                        "follow the link we email you.\n\n## Empty heading\n\n## Change your password\n\nGo to Settings, "
                        "Security, and type the old password then the new one twice.\n",
        "billing.md": "# Billing\n\nInvoices are sent on the first day of each month.\n\n## Pay by bank transfer\n\n"
                      "Send the amount to the account number printed on your invoice.\n",
    },
    "beta": {
        "garden.md": "# Garden permits\n\n## Apply for a compost bin\n\nFill in form G-2 at the town hall to receive a "
                     "free compost bin.\n\n## Water use during drought\n\nHoses may be used before 8 am on odd days only.\n",
    },
}
QUESTIONS = [
    ("alpha", "I forgot my password, how do I get a new one?", "docs/alpha/passwords.md", "Reset a forgotten password", []),
    ("alpha", "where do I change my password in settings", "docs/alpha/passwords.md", "Change your password", []),
    ("alpha", "can I pay my invoice by bank transfer?", "docs/alpha/billing.md", "Pay by bank transfer", []),
    ("alpha", "when do invoices arrive", "docs/alpha/billing.md", "Billing", []),
    ("alpha", "what is under the empty heading", "docs/alpha/passwords.md", "Empty heading", []),
    ("beta", "how can I get a compost bin", "docs/beta/garden.md", "Apply for a compost bin", []),
    ("beta", "may I water my garden with a hose in a drought", "docs/beta/garden.md", "Water use during drought",
     [{"path": "docs/alpha/billing.md", "heading": "Pay by bank transfer"}]),
]


@pytest.fixture()
def doc_root(tmp_path):
    root = tmp_path / "doc2dial"
    for service, pages in PAGES.items():
        (root / "docs" / service).mkdir(parents=True)
        for name, text in pages.items():
            (root / "docs" / service / name).write_text(text, encoding="utf-8")
    lines = [json.dumps({"id": str(n), "domain": d, "question": q, "path": p, "heading": h, "alt_locations": alt})
             for n, (d, q, p, h, alt) in enumerate(QUESTIONS)]
    (root / "questions.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


def test_gold_section_maps_to_the_loaders_chunk_id(doc_root, tmp_path):
    from bot.knowledge import load_knowledge

    knowledge = doc2dial.write_knowledge(doc_root, "alpha", tmp_path / "kb")
    kb = load_knowledge(knowledge)
    by_place = {(c.source_file, c.line): c.id for c in kb.chunks}
    questions = doc2dial.load_questions(doc_root)["alpha"]
    golds = [doc2dial.gold_ids(q, "alpha", knowledge, by_place) for q in questions]
    assert golds == [{"docs/passwords.md#reset-a-forgotten-password"}, {"docs/passwords.md#change-your-password"},
                     {"docs/billing.md#pay-by-bank-transfer"}, {"docs/billing.md#billing"}, set()]
    assert all(g <= {c.id for c in kb.chunks} for g in golds)
    beta = doc2dial.write_knowledge(doc_root, "beta", tmp_path / "kb")
    beta_places = {(c.source_file, c.line): c.id for c in load_knowledge(beta).chunks}
    drought = doc2dial.load_questions(doc_root)["beta"][1]
    # the copy in another service's pages is not in this folder: only the gold itself counts
    assert doc2dial.gold_ids(drought, "beta", beta, beta_places) == {"docs/garden.md#water-use-during-drought"}


def test_doc_protocol_runs_every_system(doc_root, tmp_path, embedder):
    cached = CachedEmbedder(embedder)
    report = doc2dial.run(doc_root, cached, tmp_path / "work", log=lambda _: None)
    alpha, beta = report["services"]["alpha"], report["services"]["beta"]
    assert alpha["gold_not_indexed"] == 1 and beta["gold_not_indexed"] == 0
    for service, n in (("alpha", 5), ("beta", 2)):
        for system in doc2dial.SYSTEMS:
            m = report["services"][service][system]
            assert m["questions"] == n
            assert m["top1"] <= m["top3"] <= 1.0
    # the questions share their gold section's words: plain BM25 and NN find 4 of alpha's 5 (one is unreachable)
    assert alpha["nn"]["top3"] == 0.8 and alpha["bm25"]["top3"] == 0.8
    assert alpha["helpbot"]["top3"] == 0.8 and beta["helpbot"]["top3"] == 1.0
    assert report["summary"]["nn"]["top3"] == {"mean": 0.9, "worst": 0.8, "worst_fold": "alpha"}
    again = cached.embedded
    doc2dial.run(doc_root, cached, tmp_path / "again", log=lambda _: None)
    assert cached.embedded == again  # every text cached by content: the second run embeds nothing


DOMAINS = {
    "travel": {"book_flight": ["book a flight to {x}", "I need a plane ticket to {x}", "reserve a seat on a flight to {x}"],
               "hotel": ["find me a hotel in {x}", "book a room in {x}", "I need a place to stay in {x}"]},
    "cooking": {"recipe": ["give me a recipe for {x}", "how do I cook {x}", "what is a good way to make {x}"],
                "oven": ["preheat the oven for {x}", "what oven temperature for {x}", "how hot should the oven be for {x}"]},
    "cars": {"oil": ["when should I change the oil in my {x}", "oil change interval for a {x}", "how often does a {x} need new oil"],
             "tires": ["what tire pressure for my {x}", "how much air in the tires of a {x}", "inflate the tires of my {x}"]},
    "music": {"play": ["play some {x} music", "put on {x} songs", "start a {x} playlist"],
              "volume": ["turn the {x} music up", "make the {x} song louder", "raise the volume of the {x} track"]},
}
FILLERS = ["paris", "rome", "oslo", "lima", "cairo", "tokyo"]


def write_clinc(root):
    rows = {"train": [], "val": [], "oos_train": [], "oos_val": []}
    for intents in DOMAINS.values():
        for intent, templates in intents.items():
            for n, filler in enumerate(FILLERS):
                split = "train" if n < 4 else "val"
                rows[split] += [[t.format(x=filler), intent] for t in templates[: 2 if split == "train" else 1]]
    rows["oos_train"] = [["what is the capital of peru", "oos"], ["tell me a joke about cats", "oos"]]
    rows["oos_val"] = [["how tall is mount everest", "oos"], ["who wrote the odyssey", "oos"]]
    (root / "clinc150").mkdir(parents=True)
    (root / "clinc150" / "clinc150_train_val.json").write_text(json.dumps(rows), encoding="utf-8")
    (root / "clinc150" / "domains.json").write_text(json.dumps({d: list(i) for d, i in DOMAINS.items()}), encoding="utf-8")


def test_clinc_protocol_pairs_and_leave_domains_out(tmp_path, embedder):
    write_clinc(tmp_path / "shared")
    data = clinc.Data(tmp_path / "shared", phrasings=4, fit_rows=4)
    assert len(data.test) == 8 * 2 + 2 and len(data.fit) == 8 * 4 + 2
    assert clinc.pick_pairs(clinc.all_pairs(DOMAINS), 2) == [("cars", "cooking"), ("music", "travel")]
    report = clinc.run(tmp_path / "shared", CachedEmbedder(embedder), tmp_path / "work", pairs=2, phrasings=4,
                       fit_rows=4, log=lambda _: None)
    assert report["pairs_run"] == 2 and report["pairs_total"] == 6
    for name, pair in report["pairs"].items():
        for system in clinc.SYSTEMS:
            assert pair[system]["in_scope"] == 8 and pair[system]["out_of_scope"] == 10  # 2 val rows per intent
        # each pair's baseline threshold comes from the one pair of the other two domains: it exists and the
        # nearest neighbour, on these near-template questions, gets every in-scope row right
        assert pair["nn"]["threshold"] is not None
    assert report["summary"]["nn"]["in_scope_right"]["mean"] >= 0.75
    assert report["router_head"]["shipped"] in (True, False)


def test_cached_embedder_returns_the_models_vectors(embedder):
    cached = CachedEmbedder(embedder)
    texts = ["how do I reset my password", "where is the billing page", "how do I reset my password"]
    first = cached.embed_batch(texts)
    assert cached.embedded == 2
    assert np.allclose(first, embedder.embed_batch(texts), atol=1e-5)
    cached.embed_batch(texts[:1])
    assert cached.embedded == 2 and cached.identity == embedder.identity


def test_baselines_rank_the_obvious_chunk_first(doc_root, tmp_path, embedder):
    from bot.knowledge import load_knowledge

    kb = load_knowledge(doc2dial.write_knowledge(doc_root, "beta", tmp_path / "kb"))
    question = ["compost bin form at the town hall"]
    for system in (BM25(kb.chunks), NearestNeighbour(kb.chunks, embedder)):
        top = system.rank(question)[0]
        assert top.ranking[0] == "docs/garden.md#apply-for-a-compost-bin", system.name
    assert BM25(kb.chunks).rank(["zzzz qqqq"])[0].ranking == []  # no shared word: nothing ranked, never answered


@pytest.mark.shared_data
@pytest.mark.slow
def test_quick_run_on_the_dev_data(tmp_path):
    if not (SHARED_DATA / "clinc150").is_dir():
        pytest.skip("../shared/data is absent")
    from benchmarks import answers_eval

    report = answers_eval.main(["--only", "clinc", "--quick", "--pairs", "1", "--json", str(tmp_path / "out.json")])
    saved = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert saved["clinc"]["pairs_run"] == 1 and report["clinc"]["summary"]["helpbot"]["in_scope_right"]["mean"] > 0.5
