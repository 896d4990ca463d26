"""Structured logs: one JSON object per line, with secrets masked and personal data redacted.

`configure_logging(level)` replaces the root handlers with one JSON handler on stderr. Fields
passed with `extra={...}` become top-level keys. Every string (message, extras, traceback) goes
through `scrub` (via `ScrubFilter` and the formatter): token-like strings are masked and emails,
phone and card numbers redacted.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
from typing import Any, TextIO

from bot.config import mask_url_credentials
from bot.guard.stage import redact_for_log

_TOKENS = re.compile(
    r"(?:xox[abposr]-[A-Za-z0-9-]{8,}"  # Slack bot/user tokens
    r"|xapp-[A-Za-z0-9-]{8,}"  # Slack app-level tokens
    r"|[MN][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40}"  # Discord bot tokens
    r"|sk-[A-Za-z0-9_-]{16,}"  # API keys
    r"|(?i:bearer)\s+[A-Za-z0-9._~+/=-]{8,}"  # Authorization headers
    r"|\b[A-Fa-f0-9]{32,}\b"  # long hex secrets (signing secrets, ...)
    r")"
)
_KEYS = re.compile(r"(?i)\b(token|secret|password|api[_-]?key)(\s*[=:]\s*)(\S+)")
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def scrub(text: str) -> str:
    text = mask_url_credentials(text)
    text = _TOKENS.sub("[SECRET]", text)
    text = _KEYS.sub(lambda m: f"{m.group(1)}{m.group(2)}[SECRET]", text)
    return redact_for_log(text)


def _scrub_value(value: Any) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: _scrub_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_scrub_value(v) for v in value]
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return scrub(str(value))


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    return {k: v for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_")}


class ScrubFilter(logging.Filter):
    """Masks secrets and redacts personal data in the message and `extra` fields of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = scrub(record.getMessage()), None
        for key, value in _extras(record).items():
            setattr(record, key, _scrub_value(value))
        return True


class JsonFormatter(logging.Formatter):
    """`{"ts", "level", "logger", "msg", ...extras, "exc"}`; tracebacks are scrubbed here."""

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        data.update(_extras(record))
        if record.exc_info:
            data["exc"] = scrub(self.formatException(record.exc_info))
        return json.dumps(data, ensure_ascii=False, default=str)


def configure_logging(level: str | int = "INFO", stream: TextIO | None = None) -> logging.Handler:
    """Send every log record to `stream` (stderr) as JSON lines. Returns the handler."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ScrubFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level if isinstance(level, int) else str(level).upper())
    for noisy in ("sentence_transformers", "transformers", "httpx", "huggingface_hub", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler
