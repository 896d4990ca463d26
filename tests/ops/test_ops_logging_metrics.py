"""Structured JSON logs without secrets or personal data; the metrics registry's text format."""

from __future__ import annotations

import io
import json
import logging

import pytest

from bot.messages import Reply
from bot.core import metrics
from bot.ops.logging import JsonFormatter, configure_logging, scrub

SLACK = "xoxb-" + "1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"
DISCORD = "MTA" + "x" * 23 + ".GaBcDe." + "y" * 38


@pytest.fixture
def json_log():
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    buf = io.StringIO()
    configure_logging("INFO", buf)
    yield buf
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in saved[0]:
        root.addHandler(handler)
    root.setLevel(saved[1])


@pytest.mark.parametrize(
    "secret",
    [SLACK, "xapp-1-A0123456789-1234567890123-abcdef0123456789", DISCORD, "sk-" + "a1B2" * 8, "0123456789abcdef" * 3],
)
def test_scrub_masks_token_like_strings(secret):
    out = scrub(f"connecting with {secret} now")
    assert secret not in out and "[SECRET]" in out


def test_scrub_redacts_personal_data_and_key_values():
    out = scrub("mail jane.doe@example.com or call +44 20 7946 0958, password=hunter2 Authorization: Bearer abc.def.ghi")
    assert "jane.doe" not in out and "[EMAIL]" in out and "[PHONE]" in out
    assert "hunter2" not in out and "abc.def.ghi" not in out
    assert scrub("How do I invite a member?") == "How do I invite a member?"


def test_json_lines_with_extras_and_scrubbed_traceback(json_log):
    log = logging.getLogger("helpbot.test")
    log.info("reload by %s", "jane@example.com", extra={"event": "reload", "ok": True, "errors": [f"token {SLACK}"], "n": 3})
    try:
        raise RuntimeError(f"bad token {SLACK}")
    except RuntimeError:
        log.exception("failed")
    first, second = [json.loads(line) for line in json_log.getvalue().splitlines()]
    assert first["level"] == "info" and first["logger"] == "helpbot.test" and first["ts"].endswith("+00:00")
    assert first["msg"] == "reload by [EMAIL]"
    assert first["event"] == "reload" and first["ok"] is True and first["n"] == 3
    assert first["errors"] == ["token [SECRET]"]
    assert second["level"] == "error" and "RuntimeError" in second["exc"]
    assert SLACK not in json_log.getvalue()


def test_configure_logging_replaces_handlers(json_log):
    root = logging.getLogger()
    plain = logging.StreamHandler(io.StringIO())
    root.addHandler(plain)
    buf = io.StringIO()
    handler = configure_logging("WARNING", buf)
    assert root.handlers == [handler] and root.level == logging.WARNING
    assert isinstance(handler.formatter, JsonFormatter)
    logging.getLogger("helpbot.x").info("hidden")
    logging.getLogger("helpbot.x").warning("shown")
    assert [json.loads(line)["msg"] for line in buf.getvalue().splitlines()] == ["shown"]


def test_counter_histogram_gauge_render():
    c = metrics.Counter("t_total", "Test counter.", ("route",))
    c.inc(route="answer")
    c.inc(2, route='we"ird\n')
    h = metrics.Histogram("t_seconds", "Test histogram.", ("route",), buckets=(0.1, 1.0))
    for v in (0.05, 0.5, 0.7, 3.0):
        h.observe(v, route="answer")
    g = metrics.Gauge("t_depth", "Test gauge.")
    g.set_function(lambda: 4)
    text = metrics.Metrics().render(extra=[c, h, g])
    assert "# TYPE t_total counter" in text
    assert 't_total{route="answer"} 1' in text
    assert 't_total{route="we\\"ird\\n"} 2' in text
    assert 't_seconds_bucket{route="answer",le="0.1"} 1' in text
    assert 't_seconds_bucket{route="answer",le="1"} 3' in text
    assert 't_seconds_bucket{route="answer",le="+Inf"} 4' in text
    assert 't_seconds_sum{route="answer"} 4.25' in text and 't_seconds_count{route="answer"} 4' in text
    assert "t_depth 4" in text
    with pytest.raises(ValueError):
        c.inc(platform="x")


def test_observe_counts_routes_blocks_and_generated():
    m = metrics.Metrics()
    m.observe(Reply("block", "no", reasons=["guard.injection"], latency_ms=12), "slack")
    m.observe(Reply("answer", "yes", generated=True, latency_ms=250), "slack")
    assert m.messages.value(route="block", platform="slack") == 1
    assert m.guard_blocks.value(reason="guard.injection") == 1
    assert m.generated.value() == 1
    assert m.latency.count(route="block") == 1
    assert metrics.Metrics().messages.value(route="block", platform="slack") == 0, "each bot counts its own"


async def test_metrics_report_the_llm_queue_depth(embedder, session_home):
    """/metrics declared helpbot_llm_queue_depth but nothing ever set it: it always read 0."""
    import asyncio

    from bot.config import load_settings
    from bot.core.pipeline import HelpBot
    from bot.llm import Generator, Passage, PromptTemplate
    from tests.conftest import SAMPLE_KNOWLEDGE
    from tests.llm.fakes import FakeLLM

    llm = FakeLLM(hang=True)
    generator = Generator(llm, PromptTemplate.load("answer"), queue_size=3)
    bot = HelpBot(load_settings(env={"HELPBOT_HOME": str(session_home)}), SAMPLE_KNOWLEDGE, embedder=embedder,
                  generator=generator)
    assert "helpbot_llm_queue_depth 0" in bot.metrics.render()
    passages = [Passage("faq:a", "A", None, "Open Settings.")]

    async def ask(question):
        return [ev async for ev in generator.stream(question, passages)]

    tasks = [asyncio.create_task(ask(f"question {i}")) for i in range(3)]  # one writes, two wait
    await asyncio.sleep(0.1)
    assert "helpbot_llm_queue_depth 2" in bot.metrics.render()
    llm.release.set()
    await asyncio.gather(*tasks)
    assert "helpbot_llm_queue_depth 0" in bot.metrics.render()
    generator.close(close_llm=False)
