"""Text normalisation: a sanitized text for everyone, and a folded "match view" for rules.

`normalize` keeps text readable (NFKC, invisible characters removed, look-alike letters
folded only inside words that mix scripts). `match_view` is for matching only: lower case,
every look-alike and leetspeak digit folded, spaced-out letters joined.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Zero-width, bidi controls, soft hyphen, filler letters, variation selectors, tag characters.
_INVISIBLE_RE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e007f\U000e0100-\U000e01ef"
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
)

# Cyrillic / Greek / other letters that look like Latin ones (lower case after casefold).
_CONFUSABLES = {
    "а": "a", "в": "b", "с": "c", "ԁ": "d", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i",
    "ј": "j", "к": "k", "ӏ": "l", "м": "m", "н": "h", "о": "o", "р": "p", "ԛ": "q", "г": "r",
    "ѕ": "s", "т": "t", "у": "y", "х": "x", "ԝ": "w", "ь": "b", "п": "n", "ц": "u", "ɡ": "g",
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "γ": "y", "ω": "w", "ϲ": "c", "ѵ": "v", "ɑ": "a", "ɩ": "i",
    "ı": "i", "ɪ": "i", "ʟ": "l", "ɴ": "n", "ʀ": "r", "ꜱ": "s", "ᴀ": "a", "ᴇ": "e", "ᴏ": "o",
    "ᴛ": "t", "ᴜ": "u", "ᴄ": "c", "ᴅ": "d", "ᴍ": "m", "ᴘ": "p", "ᴠ": "v", "ᴡ": "w", "ᴢ": "z",
}
_CONFUSABLE_TABLE = str.maketrans(_CONFUSABLES)
_LEET_TABLE = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t",
                             "@": "a", "$": "s", "!": "i", "|": "l", "€": "e"})

_WORD_RE = re.compile(r"[^\W\d_]+")
# "!" and "|" count as letters only between word characters ("h!gh"), not as punctuation.
_LEET_TOKEN_RE = re.compile(r"[\w@$€]+(?:[!|]+[\w@$€]+)*")
_LEET_CHARS = frozenset("0134578@$!|€")
_SPACED_RE = re.compile(r"(?<!\w)(?:\w[ ._*\-/]){3,}\w(?!\w)")
_SPACE_RE = re.compile(r"[^\S\n]+")
_NON_LETTER_RE = re.compile(r"[\W\d_]+")


def _fold_mixed(match: re.Match) -> str:
    word = match.group(0)
    if word.isascii() or not any("a" <= c.lower() <= "z" for c in word):
        return word
    folded = word.lower().translate(_CONFUSABLE_TABLE)
    if not folded.isascii():
        return word
    # keep the case of the original letters
    return "".join(f.upper() if o.isupper() else f for o, f in zip(word, folded))


def fold_confusables(text: str) -> str:
    """Map look-alike letters to Latin (used to write rules for Cyrillic text)."""
    return text.translate(_CONFUSABLE_TABLE)


def normalize(text: str) -> str:
    """NFKC, drop invisible characters, fold look-alikes inside mixed-script words."""
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE_RE.sub("", text)
    if not text.isascii():
        text = _WORD_RE.sub(_fold_mixed, text)
    return text


def _fold_leet(match: re.Match) -> str:
    tok = match.group(0)
    if not (_LEET_CHARS.intersection(tok) and any(c.isalpha() for c in tok)):
        return tok
    return tok.translate(_LEET_TABLE)


@lru_cache(maxsize=256)
def match_view(text: str) -> str:
    """Lower-case folded form for rule matching only (never shown or embedded)."""
    view = normalize(text).casefold().translate(_CONFUSABLE_TABLE)
    view = _LEET_TOKEN_RE.sub(_fold_leet, view)
    view = _SPACED_RE.sub(lambda m: _NON_LETTER_RE.sub("", m.group(0)), view)
    return _SPACE_RE.sub(" ", view)


@lru_cache(maxsize=256)
def compact_view(text: str) -> str:
    """Letters only, no spaces: catches 'i g n o r e' and 'ig-nore' style splitting."""
    return _NON_LETTER_RE.sub("", match_view(text))
