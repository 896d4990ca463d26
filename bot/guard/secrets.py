"""Secret detectors: platform tokens, cloud keys, private keys, passwords written in text,
and generic high-entropy strings (that are not decodable text payloads)."""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

from bot.guard.decode import decode_b64
from bot.guard.pii import Span, redact, resolve

_TOKEN_PATTERNS = [
    ("secret.slack_token", re.compile(r"\bxox[abposre]-[A-Za-z0-9-]{10,250}")),
    ("secret.slack_token", re.compile(r"\bxapp-\d-[A-Za-z0-9-]{10,250}")),
    ("secret.webhook", re.compile(r"https://hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9_/-]{8,200}")),
    ("secret.webhook", re.compile(r"https://(?:\w+\.)?discord(?:app)?\.com/api/webhooks/\d{5,25}/[\w-]{20,120}")),
    ("secret.discord_token", re.compile(r"(?<![\w-])[MNO][A-Za-z\d_-]{23,27}\.[A-Za-z\d_-]{6}\.[A-Za-z\d_-]{27,40}(?![\w-])")),
    ("secret.aws_key", re.compile(r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA)[A-Z0-9]{16}\b")),
    ("secret.aws_key", re.compile(r"(?i)aws_?secret_?access_?key\W{0,5}[A-Za-z0-9/+=]{40}")),
    ("secret.github_token", re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})")),
    ("secret.api_key", re.compile(r"\bsk-(?:proj-|ant-(?:api\d\d-)?|live-)?[A-Za-z0-9_-]{20,200}")),
    ("secret.api_key", re.compile(r"\b(?:sk|rk|pk)_(?:live|test)_[0-9a-zA-Z]{16,200}")),
    ("secret.api_key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}")),
    ("secret.api_key", re.compile(r"\b(?:glpat|xoxc|shpat|shpss|npm)_[A-Za-z0-9_-]{16,200}")),
    ("secret.jwt", re.compile(r"\beyJ[A-Za-z0-9_-]{8,2000}\.eyJ[A-Za-z0-9_-]{8,4000}\.[A-Za-z0-9_-]{8,2000}")),
    ("secret.private_key", re.compile(r"-----BEGIN [A-Z ]{0,30}PRIVATE KEY( BLOCK)?-----(?:[A-Za-z0-9+/=\s]{0,8000}-----END [A-Z ]{0,30}PRIVATE KEY( BLOCK)?-----)?")),
    ("secret.api_key", re.compile(r"(?i)\b(?:api[_-]?key|api[_-]?token|access[_-]?token|auth[_-]?token|secret[_-]?key|"
                                  r"client[_-]?secret|bearer)\b\s{0,3}[:=]?\s{0,3}[\"']?(?P<v>[A-Za-z0-9_\-./+=]{12,200})")),
]

_NOT_PASSWORDS = frozenset("""
not too wrong incorrect invalid expired working correct the a an my same still being required set
reset changed forgotten lost missing empty blank weak strong long short case sensitive saved stored
different old new locked now also there here this that it correct? right ok okay fine broken
incorrectly rejected accepted valid asking showing failing stuck disabled enabled unknown
""".split())
_PASSWORD_RE = re.compile(
    r"(?i)\b(?:my\s+|the\s+|new\s+|our\s+)?(?:password|passwd|passcode|pwd|pw|pin(?:\s+code)?)"
    r"(?:\s+(?:is|was|is now|will be|should be)|\s*[:=])\s{0,3}[\"'“「]?([^\s\"'”」]{3,64})"
)
_PASSWORD_JA_RE = re.compile(r"(?:パスワード|暗証番号|パスコード)(?:は|が|:|：|＝|=)\s{0,3}[「\"']?([^\s「」\"'、。ぁ-ん]{3,64})")
_CANDIDATE_RE = re.compile(r"(?<![\w/+=-])[A-Za-z0-9_\-+/]{24,512}={0,2}(?![\w/+=-])")


def entropy(s: str) -> float:
    counts = Counter(s)
    return -sum(c / len(s) * math.log2(c / len(s)) for c in counts.values())


def _looks_like_password(value: str, explicit: bool) -> bool:
    v = value.rstrip(".,!?;:)")
    if len(v) < 3 or v.lower() in _NOT_PASSWORDS:
        return False
    varied = any(c.isdigit() for c in v) or not v.isalnum() or (v.lower() != v and v.upper() != v)
    return varied or explicit


def find_secrets(text: str) -> list[Span]:
    # Cached: a message's text is scanned by the guard and redacted for the log.
    return list(_find_secrets(text))


def find_secrets_uncached(text: str) -> tuple[Span, ...]:
    """For bulk scans (every knowledge chunk at index time): leaves the per-message cache alone."""
    return _find_secrets.__wrapped__(text)


@lru_cache(maxsize=256)
def _find_secrets(text: str) -> tuple[Span, ...]:
    spans: list[Span] = []
    for kind, pattern in _TOKEN_PATTERNS:
        for m in pattern.finditer(text):
            g = "v" if "v" in pattern.groupindex else 0
            spans.append(Span(m.start(g), m.end(g), kind, "[SECRET]"))
    for m in _PASSWORD_RE.finditer(text):
        explicit = m.group(0).rstrip(m.group(1)).rstrip("\"'“「 ").endswith((":", "="))
        if _looks_like_password(m.group(1), explicit):
            end = m.start(1) + len(m.group(1).rstrip(".,!?;:)"))
            spans.append(Span(m.start(1), end, "secret.password", "[PASSWORD]"))
    for m in _PASSWORD_JA_RE.finditer(text):
        spans.append(Span(m.start(1), m.end(1), "secret.password", "[PASSWORD]"))
    for m in _CANDIDATE_RE.finditer(text):
        tok = m.group(0)
        if (any(c.isdigit() for c in tok) and any(c.isalpha() for c in tok) and entropy(tok) >= 4.2
                and not decode_b64(tok)):
            spans.append(Span(m.start(), m.end(), "secret.generic", "[SECRET]"))
    return tuple(resolve(spans))


def mask_secrets(text: str) -> str:
    """`text` with every secret replaced by its placeholder (passages for the LLM, citation titles)."""
    spans = find_secrets(text)
    return redact(text, spans) if spans else text
