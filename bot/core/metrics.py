"""A tiny in-process metrics registry written out in the Prometheus text exposition format.

One `Metrics` object per bot (built by the bot, or passed in), no module-level registry:
`observe(reply, platform)` is called once per handled message, `reload_finished(ok)` once per
reload, and the LLM queue depth is read from the generator at scrape time.
"""

from __future__ import annotations

import bisect
import math
import threading
import time
from typing import Callable

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


def _escape(value: str) -> str:
    return str(value).replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")


def _labels(names: tuple[str, ...], values: tuple[str, ...], extra: str = "") -> str:
    parts = [f'{n}="{_escape(v)}"' for n, v in zip(names, values)]
    if extra:
        parts.append(extra)
    return "{" + ",".join(parts) + "}" if parts else ""


def _num(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    return repr(float(value)) if not float(value).is_integer() else str(int(value))


class _Metric:
    kind = ""

    def __init__(self, name: str, help_text: str, labels: tuple[str, ...] = ()):
        self.name, self.help, self.label_names = name, help_text, labels
        self._lock = threading.Lock()

    def _key(self, labels: dict[str, str]) -> tuple[str, ...]:
        if set(labels) != set(self.label_names):
            raise ValueError(f"{self.name} takes labels {self.label_names}, got {tuple(labels)}")
        return tuple(str(labels[n]) for n in self.label_names)

    def header(self) -> list[str]:
        return [f"# HELP {self.name} {self.help}", f"# TYPE {self.name} {self.kind}"]


class Counter(_Metric):
    kind = "counter"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._values: dict[tuple[str, ...], float] = {}

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        key = self._key(labels)
        with self._lock:
            self._values[key] = self._values.get(key, 0.0) + amount

    def value(self, **labels: str) -> float:
        return self._values.get(self._key(labels), 0.0)

    def render(self) -> list[str]:
        with self._lock:
            items = sorted(self._values.items())
        return self.header() + [f"{self.name}{_labels(self.label_names, k)} {_num(v)}" for k, v in items]


class Gauge(_Metric):
    kind = "gauge"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._value = 0.0
        self._function: Callable[[], float] | None = None

    def set(self, value: float) -> None:
        self._value = float(value)

    def set_function(self, function: Callable[[], float] | None) -> None:
        """Read the value from `function` at scrape time (e.g. a queue's current size)."""
        self._function = function

    def value(self) -> float:
        if self._function is not None:
            try:
                return float(self._function())
            except Exception:  # noqa: BLE001 - a broken callback must not break /metrics
                return math.nan
        return self._value

    def render(self) -> list[str]:
        value = self.value()
        return self.header() + [f"{self.name} {'NaN' if math.isnan(value) else _num(value)}"]


class Histogram(_Metric):
    kind = "histogram"

    def __init__(self, *args, buckets: tuple[float, ...] = LATENCY_BUCKETS, **kwargs):
        super().__init__(*args, **kwargs)
        self.buckets = tuple(sorted(buckets))
        self._data: dict[tuple[str, ...], list] = {}  # key -> [bucket counts..., sum, count]

    def observe(self, value: float, **labels: str) -> None:
        key = self._key(labels)
        with self._lock:
            data = self._data.setdefault(key, [0] * len(self.buckets) + [0.0, 0])
            i = bisect.bisect_left(self.buckets, value)
            if i < len(self.buckets):
                data[i] += 1
            data[-2] += value
            data[-1] += 1

    def count(self, **labels: str) -> int:
        data = self._data.get(self._key(labels))
        return data[-1] if data else 0

    def render(self) -> list[str]:
        lines = self.header()
        with self._lock:
            items = sorted((k, list(v)) for k, v in self._data.items())
        for key, data in items:
            running = 0
            for bound, n in zip(self.buckets, data):
                running += n
                le = _labels(self.label_names, key, 'le="' + _num(bound) + '"')
                lines.append(f"{self.name}_bucket{le} {running}")
            inf = _labels(self.label_names, key, 'le="+Inf"')
            lines.append(f"{self.name}_bucket{inf} {data[-1]}")
            lines.append(f"{self.name}_sum{_labels(self.label_names, key)} {_num(data[-2])}")
            lines.append(f"{self.name}_count{_labels(self.label_names, key)} {data[-1]}")
        return lines


class Metrics:
    """Every metric helpbot exports; `render()` is the body of `/metrics`."""

    def __init__(self):
        self.messages = Counter("helpbot_messages_total", "Messages handled, by route and platform.", ("route", "platform"))
        self.latency = Histogram("helpbot_latency_seconds", "Time to answer a message, by route.", ("route",))
        self.guard_blocks = Counter("helpbot_guard_blocks_total", "Blocked messages, by reason.", ("reason",))
        self.generated = Counter("helpbot_generated_answers_total", "Answers written by the LLM.", ())
        self.llm_queue_depth = Gauge("helpbot_llm_queue_depth", "Requests waiting for the LLM.")
        self.reloads = Counter("helpbot_reloads_total", "Knowledge reloads (not dry runs), by result.", ("result",))
        self.last_reload_ts = Gauge("helpbot_last_reload_timestamp_seconds", "Unix time of the last reload attempt.")
        self.last_reload_ok = Gauge("helpbot_last_reload_success", "1 if the last reload succeeded, else 0.")
        self.delivery_failures = Counter(
            "helpbot_delivery_failures_total",
            "Answers that could not be posted (after waiting out rate limits), by platform and reason.",
            ("platform", "reason"))
        self.rate_limited = Counter("helpbot_rate_limited_total",
                                    "Platform API calls that were rate limited and waited, by platform.", ("platform",))
        self.slack_refused = Counter("helpbot_slack_refused_requests_total",
                                     "Slack HTTP requests refused before Bolt saw them, by reason.", ("reason",))
        self.audit_write_failures = Counter(
            "helpbot_audit_write_failures_total",
            "Audit, feedback and reload rows not written because the database was unavailable, by table.", ("table",))
        self.store_fallbacks = Counter(
            "helpbot_event_dedup_fallbacks_total",
            "Events de-duplicated in this replica's memory only because the database was unavailable, by platform.",
            ("platform",))
        self.shared_state_fallbacks = Counter(
            "helpbot_shared_state_fallbacks_total",
            "Calls that kept conversation memory, guard counters, threads or the knowledge sync in this replica "
            "only because the database was unavailable, by state.", ("state",))
        self.knowledge_in_sync = Gauge(
            "helpbot_knowledge_in_sync",
            "1 if this replica serves the knowledge last reloaded on any replica (or is alone), else 0.")
        self.knowledge_in_sync.set(1)
        self.all: list[_Metric] = [self.messages, self.latency, self.guard_blocks, self.generated, self.llm_queue_depth,
                                   self.reloads, self.last_reload_ts, self.last_reload_ok, self.delivery_failures,
                                   self.rate_limited, self.slack_refused, self.audit_write_failures, self.store_fallbacks,
                                   self.shared_state_fallbacks, self.knowledge_in_sync]

    def observe(self, reply, platform: str) -> None:
        """Count one handled message (called by the pipeline after each reply)."""
        self.messages.inc(route=reply.route, platform=platform or "unknown")
        self.latency.observe(max(0.0, reply.latency_ms) / 1000, route=reply.route)
        if reply.route == "block":
            for reason in reply.reasons or ["unspecified"]:
                self.guard_blocks.inc(reason=reason)
        if reply.generated:
            self.generated.inc()

    def delivery_failed(self, platform: str, reason: str) -> None:
        """Count an answer that never reached the asker (the adapter logs it and marks its audit row)."""
        self.delivery_failures.inc(platform=platform, reason=reason or "unknown")

    def audit_write_failed(self, table: str) -> None:
        """Count a row the database could not take (an outage); the answer went out without it."""
        self.audit_write_failures.inc(table=table)

    def reload_finished(self, ok: bool) -> None:
        self.reloads.inc(result="ok" if ok else "error")
        self.last_reload_ts.set(time.time())
        self.last_reload_ok.set(1 if ok else 0)

    def render(self, extra: list[_Metric] | None = None) -> str:
        """The whole registry in Prometheus text format 0.0.4."""
        lines: list[str] = []
        for metric in self.all + list(extra or []):
            lines += metric.render()
        return "\n".join(lines) + "\n"
