"""Replies in the asker's language: one catalogue of user-facing text, one module per language.

English is bot/strings.py; Japanese is bot/strings_ja.py, with the same names. The language of a
message comes from its script (bot/language.py); a language without its own module gets English.
Code keeps naming the English constant (`strings.REFUSE`); whoever fills it in for a message calls
`localize(template, lang)` first, which finds the constant's name and returns that language's text.
"""

from __future__ import annotations

import functools
from types import ModuleType

from bot import language, strings, strings_ja

CATALOGUES: dict[str, ModuleType] = {"en": strings, "ja": strings_ja}


def strings_for(lang: str) -> ModuleType:
    """The strings module of `lang` ("en", "ja", ...); English when there is none."""
    return CATALOGUES.get(lang, strings)


def language_of(text: str) -> str:
    """The language to reply in for a message: its own when a catalogue has it, else English."""
    code = language.detect(text or "")
    return code if code in CATALOGUES else "en"


@functools.cache
def _names() -> dict[str, str]:
    """English text -> its name in bot/strings.py (also each value of a table such as RELOAD_REPLICA)."""
    out: dict[str, str] = {}
    for name, value in vars(strings).items():
        if not name.isupper():
            continue
        if isinstance(value, str):
            out.setdefault(value, name)
        elif isinstance(value, dict):
            for key, text in value.items():
                out.setdefault(text, f"{name}.{key}")
    return out


def localize(template: str, lang: str) -> str:
    """`template` (an English string of bot/strings.py) in `lang`; itself when it has no translation."""
    if lang == "en" or lang not in CATALOGUES:
        return template
    name = _names().get(template)
    if name is None:
        return template
    table, _, key = name.partition(".")
    found = getattr(CATALOGUES[lang], table, None)
    if key:
        found = found.get(key) if isinstance(found, dict) else None
    return found if isinstance(found, str) else template
