"""Find encoded payloads (base64, hex, URL-encoding, HTML entities, rot13) and decode them.

Decoding is recursive with a bounded depth and a bounded total size, so base64 inside
base64 is found but a crafted input cannot make the guard do unbounded work.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import html
import re
from functools import lru_cache
from urllib.parse import unquote

_B64_RE = re.compile(r"[A-Za-z0-9+/_\-]{16,}={0,2}")
_HEX_RE = re.compile(r"(?:0x)?[0-9a-fA-F]{16,}|(?:\\x[0-9a-fA-F]{2}){4,}|(?:[0-9a-fA-F]{2} ){5,}[0-9a-fA-F]{2}")
_URL_RE = re.compile(r"(?:%[0-9a-fA-F]{2}){2,}")
_ENTITY_RE = re.compile(r"&#?[0-9a-zA-Z]{2,8};")
_UESC_RE = re.compile(r"\\u[0-9a-fA-F]{4}")
_ROT13_HINT_RE = re.compile(r"rot-?13|caesar|rotate", re.I)
_LETTER_RE = re.compile(r"[A-Za-z]")
_COMMON = frozenset("the and you your to of is all a in that it for are with this what how".split())
_ASCII_WORD_RE = re.compile(r"[a-z]+")

MAX_PAYLOADS = 16
MAX_TOTAL = 20_000


def _printable(s: str) -> bool:
    if len(s) < 4:
        return False
    good = sum(1 for c in s if c.isprintable() or c in "\n\t\r")
    letters = sum(1 for c in s if c.isalpha())
    return good / len(s) >= 0.95 and letters / len(s) >= 0.5


def _as_text(raw: bytes) -> str | None:
    try:
        s = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return s if _printable(s) else None


def decode_b64(token: str) -> str | None:
    core = token.rstrip("=")
    if len(core) % 4 == 1:
        return None
    alt = "-_" if ("-" in core or "_" in core) else None
    try:
        raw = base64.b64decode(core + "=" * (-len(core) % 4), altchars=alt, validate=True)
    except (binascii.Error, ValueError):
        return None
    return _as_text(raw)


def _hex(token: str) -> str | None:
    digits = re.sub(r"\\x|0x|\s", "", token)
    if len(digits) % 2:
        digits = digits[:-1]
    try:
        return _as_text(bytes.fromhex(digits))
    except ValueError:
        return None


def _english_score(text: str) -> int:
    return sum(1 for w in _ASCII_WORD_RE.findall(text[:2000].lower()) if w in _COMMON)


def _decode_once(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for m in _B64_RE.finditer(text):
        tok = m.group(0)
        if _LETTER_RE.search(tok) and (d := decode_b64(tok)):
            out.append(("base64", d))
    for m in _HEX_RE.finditer(text):
        if d := _hex(m.group(0)):
            out.append(("hex", d))
    if _URL_RE.search(text):
        d = unquote(text)
        if d != text:
            out.append(("url", d))
    if _ENTITY_RE.search(text):
        d = html.unescape(text)
        if d != text:
            out.append(("html", d))
    if _UESC_RE.search(text):
        d = _UESC_RE.sub(lambda m: chr(int(m.group(0)[2:], 16)), text)
        out.append(("unicode_escape", d))
    if _ROT13_HINT_RE.search(text):
        out.append(("rot13", codecs.encode(text, "rot13")))
    elif (plain := _english_score(text)) < 4:  # already English: no need to try rot13
        rot = codecs.encode(text, "rot13")
        if _english_score(rot) > plain + 1:
            out.append(("rot13", rot))
    return out


@lru_cache(maxsize=128)
def decoded_payloads(text: str, max_depth: int = 3) -> tuple[tuple[str, str], ...]:
    """(kind, decoded text) for every payload found, nested ones included (kind 'base64>hex')."""
    found: list[tuple[str, str]] = []
    frontier = [("", text)]
    total = 0
    for _ in range(max_depth):
        nxt = []
        for prefix, chunk in frontier:
            for kind, decoded in _decode_once(chunk):
                if total + len(decoded) > MAX_TOTAL or len(found) >= MAX_PAYLOADS:
                    return tuple(found)
                total += len(decoded)
                label = f"{prefix}>{kind}" if prefix else kind
                found.append((label, decoded))
                nxt.append((label, decoded))
        frontier = nxt
        if not frontier:
            break
    return tuple(found)


def match_views(text: str, max_depth: int = 3) -> list[tuple[str, str]]:
    """("plain", match view of text) followed by (kind, match view) of each decoded payload."""
    from bot.guard.normalize import match_view

    views = [("plain", match_view(text))]
    views.extend((kind, match_view(decoded)) for kind, decoded in decoded_payloads(text, max_depth))
    return views
