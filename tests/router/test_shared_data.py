"""The CLINC150 protocol on a slice of `val` (the full run is benchmarks/clinc_eval.py). Needs ../shared/data."""

import importlib.util
import json

import pytest

pytestmark = [pytest.mark.shared_data, pytest.mark.slow]


def load_benchmark(repo):
    spec = importlib.util.spec_from_file_location("clinc_eval", repo / "benchmarks" / "clinc_eval.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_clinc_slice(make_bot, shared_data, repo, tmp_path):
    bench = load_benchmark(repo)
    service, entries, cases = bench.clinc_protocol(shared_data, "val")
    bench.write_kb(tmp_path / "kb", service, entries)
    sample = cases[::10]  # 60 in scope, 250 out of scope
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(json.dumps({"id": n, **c}) for n, c in enumerate(sample)), encoding="utf-8")
    from bot.core.evaluate import load_cases, run_eval

    bot = make_bot(tmp_path / "kb", tmp_path / "home")
    results, summary = run_eval(bot, load_cases(path))
    figures = bench.goal_figures(results)
    assert figures["in_scope_right_entry"] >= 0.85, figures
    assert figures["out_of_scope_declined"] >= 0.93, figures
    assert "answer" in summary["per_route"] and summary["confusion"]
