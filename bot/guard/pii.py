"""Personal-data detectors with checksums (Luhn, IBAN mod-97, My Number check digit).

`find_pii(text)` returns non-overlapping spans; `redact(text, spans)` replaces them with
placeholders such as [EMAIL]. All patterns are linear-time (bounded repetition only).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache

from bot.guard.pii_places import find_places


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str  # reason code, e.g. "pii.email" or "secret.slack_token"
    label: str  # placeholder, e.g. "[EMAIL]"


_EMAIL_RE = re.compile(r"(?<![\w.%+\-])[\w.%+\-]{1,64}@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){0,8}\.[A-Za-z]{2,24}\b")
_CARD_RE = re.compile(r"(?<![\d-])\d(?:[ -]?\d){11,18}(?![\d])")
_IBAN_RE = re.compile(r"\b[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}\b")
_SSN_RE = re.compile(r"(?<![\d-])(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\d-])")
_SSN_BARE_RE = re.compile(r"(?i)\b(?:ssn|social security(?: number| no\.?)?)\W{0,5}(\d{9})\b")
_MYNUMBER_RE = re.compile(r"(?<![\d-])\d{4}([ -]?)\d{4}\1\d{4}(?![\d-]| \d)")
_MYNUMBER_HINT_RE = re.compile(r"(?i)マイナンバー|個人番号|my ?number|individual number")
_IPV4_RE = re.compile(r"(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\d.]|\.\d)")
_IPV6_RE = re.compile(r"(?<![\w:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w:])")
_VERSION_BEFORE_RE = re.compile(r"(?i)\b(?:v|version|ver\.?)\s*$")
# +81 90-1234-5678, 090-1234-5678, 03-1234-5678, 0120-123-456, (03) 1234 5678
_PHONE_JP_RE = re.compile(r"(?<![\w+])(?:\+81[ -]?\(?0?\)?[ -]?|\(?0)\d{1,4}\)?[ -]?\d{1,4}[ -]?\d{3,4}(?![\w])")
# international / North American: +1 (555) 123-4567 x12, 555.123.4567, +44 20 7946 0958
_PHONE_RE = re.compile(
    r"(?<![\w+])(?:\+|00)?(?:\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?\d{1,4}|\d{2,4})(?:[ .-]\d{2,4}){1,4}"
    r"(?:\s?(?:x|ext\.?)\s?\d{1,5})?(?![\w])"
)
_PHONE_HINT_RE = re.compile(r"(?i)phone|call|tel\b|mobile|cell|fax|contact|reach me|whatsapp|電話|携帯|番号")
# A number right after a phone word ("Fax: 9498777106", "not answering at 99 668472"): national formats
# without the usual grouping.
_PHONE_LABELLED_RE = re.compile(
    r"(?i)\b(?:phone|tel|telephone|mobile|cell|fax|whatsapp|call(?:ing)?|ring|dial|text|answering|reach(?: me| us)?)"
    r"(?:\s*(?:number|no\.?|#))?\s*(?::|is|at|on|me at|us at|-)?\s*(\+?\d[\d ().-]{5,18}\d)(?![\w])"
)
_DATE_LIKE_RE = re.compile(r"^(?:\d{4}[-./]\d{1,2}[-./]\d{1,2}\b|\d{1,2}[-./]\d{1,2}[-./]\d{2,4}$)")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def iban_ok(iban: str) -> bool:
    s = iban.replace(" ", "").upper()
    if not 15 <= len(s) <= 34:
        return False
    moved = s[4:] + s[:4]
    try:
        return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1
    except ValueError:
        return False


def _iban_end(candidate: str) -> int:
    """Length of the longest valid IBAN at the start of the candidate (0 if none)."""
    ends = [i + 1 for i, c in enumerate(candidate) if c != " "]  # end offset after n alnum chars
    for n in range(min(34, len(ends)), 14, -1):
        if iban_ok(candidate[: ends[n - 1]]):
            return ends[n - 1]
    return 0


def my_number_ok(digits: str) -> bool:
    """Japanese Individual Number: 11 digits + check digit."""
    if len(digits) != 12:
        return False
    body = [int(c) for c in digits[:11]]
    total = sum(p * (n + 1 if n <= 6 else n - 5) for n, p in enumerate(reversed(body), start=1))
    rem = total % 11
    return int(digits[11]) == (0 if rem <= 1 else 11 - rem)


def _digits(s: str) -> str:
    return "".join(c for c in s if c.isdigit())


def _phone_ok(text: str, m: re.Match) -> bool:
    raw = m.group(0)
    n = len(_digits(raw))
    if _DATE_LIKE_RE.match(raw.strip()) or not 7 <= n <= 15 or text[m.end():m.end() + 1] == ":":
        return False
    if n >= 8 and (raw.startswith("+") or "(" in raw or raw.count("-") + raw.count(" ") + raw.count(".") >= 2):
        return True
    window = text[max(0, m.start() - 40): m.start()]
    return bool(_PHONE_HINT_RE.search(window))


def _detect(text: str) -> list[Span]:
    spans: list[Span] = []
    add = spans.append
    for m in _EMAIL_RE.finditer(text):
        add(Span(m.start(), m.end(), "pii.email", "[EMAIL]"))
    for m in _IBAN_RE.finditer(text):
        if end := _iban_end(m.group(0)):
            add(Span(m.start(), m.start() + end, "pii.iban", "[IBAN]"))
    hint_mynumber = bool(_MYNUMBER_HINT_RE.search(text))
    for m in _MYNUMBER_RE.finditer(text):
        d = _digits(m.group(0))
        if my_number_ok(d) and (hint_mynumber or not luhn_ok(d)):
            add(Span(m.start(), m.end(), "pii.my_number", "[MY_NUMBER]"))
    for m in _CARD_RE.finditer(text):
        d = _digits(m.group(0))
        if 12 <= len(d) <= 19 and luhn_ok(d) and len(set(d)) > 1:
            add(Span(m.start(), m.end(), "pii.card", "[CARD]"))
    for m in _SSN_RE.finditer(text):
        add(Span(m.start(), m.end(), "pii.ssn", "[SSN]"))
    for m in _SSN_BARE_RE.finditer(text):
        add(Span(m.start(1), m.end(1), "pii.ssn", "[SSN]"))
    for m in _IPV4_RE.finditer(text):
        if not _VERSION_BEFORE_RE.search(text[max(0, m.start() - 10): m.start()]):
            add(Span(m.start(), m.end(), "pii.ip", "[IP]"))
    for m in _IPV6_RE.finditer(text):
        if m.group(0).count(":") >= 2 and _is_ipv6(m.group(0)):
            add(Span(m.start(), m.end(), "pii.ip", "[IP]"))
    for m in _PHONE_JP_RE.finditer(text):
        n = len(_digits(m.group(0)))
        if (10 <= n <= 11) or (m.group(0).startswith("+81") and 11 <= n <= 13):
            add(Span(m.start(), m.end(), "pii.phone", "[PHONE]"))
    for m in _PHONE_RE.finditer(text):
        if _phone_ok(text, m):
            add(Span(m.start(), m.end(), "pii.phone", "[PHONE]"))
    for m in _PHONE_LABELLED_RE.finditer(text):
        if 7 <= len(_digits(m.group(1))) <= 15 and not _DATE_LIKE_RE.match(m.group(1)):
            add(Span(m.start(1), m.end(1), "pii.phone", "[PHONE]"))
    spans.extend(Span(*place) for place in find_places(text))
    return spans


def _is_ipv6(s: str) -> bool:
    try:
        return isinstance(ipaddress.ip_address(s), ipaddress.IPv6Address) and (s.count(":") >= 4 or "::" in s) and any(c.isdigit() for c in s)
    except ValueError:
        return False


def resolve(spans: list[Span]) -> list[Span]:
    """Keep the first-listed detector on ties and the longer span on overlaps."""
    chosen: list[Span] = []
    order = {id(s): i for i, s in enumerate(spans)}
    for s in sorted(spans, key=lambda s: (-(s.end - s.start), order[id(s)])):
        if all(s.end <= c.start or s.start >= c.end for c in chosen):
            chosen.append(s)
    return sorted(chosen, key=lambda s: s.start)


@lru_cache(maxsize=256)
def _find_pii(text: str) -> tuple[Span, ...]:
    return tuple(resolve(_detect(text)))


def find_pii(text: str) -> list[Span]:
    # Cached: a message's text is scanned by the guard and redacted for the log.
    return list(_find_pii(text))


def redact(text: str, spans: list[Span]) -> str:
    out, pos = [], 0
    for s in sorted(spans, key=lambda s: s.start):
        out.append(text[pos:s.start])
        out.append(s.label)
        pos = s.end
    out.append(text[pos:])
    return "".join(out)
