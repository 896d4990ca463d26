"""Which language a message is written in, from its script.

Script is enough to tell Japanese, Chinese, Korean, Cyrillic, Greek, Arabic, Hebrew and Thai apart; Latin
text is reported as "en" (the embedder and the strings cover English; other Latin-script languages are read
as well as the embedder reads them). Kana decides Japanese over Chinese, since Japanese text mixes kanji
with kana. CJK characters carry about a word each, so they weigh three Latin letters.
"""

from __future__ import annotations

import re

_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SCRIPTS = (
    ("ko", re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")),
    ("ru", re.compile(r"[\u0400-\u04ff]")),
    ("el", re.compile(r"[\u0370-\u03ff]")),
    ("ar", re.compile(r"[\u0600-\u06ff\u0750-\u077f]")),
    ("he", re.compile(r"[\u0590-\u05ff]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")),
)
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
_CJK_WEIGHT = 3

NAMES = {"en": "English", "ja": "Japanese", "zh": "Chinese", "ko": "Korean", "ru": "Russian",
         "el": "Greek", "ar": "Arabic", "he": "Hebrew", "th": "Thai"}
# The same names in Japanese, for replies written in Japanese.
NAMES_JA = {"en": "英語", "ja": "日本語", "zh": "中国語", "ko": "韓国語", "ru": "ロシア語",
            "el": "ギリシャ語", "ar": "アラビア語", "he": "ヘブライ語", "th": "タイ語"}


def detect(text: str) -> str:
    """The language code of `text` ("en" when it has no letters of another script)."""
    latin = len(_LATIN.findall(text))
    kana, han = len(_KANA.findall(text)), len(_HAN.findall(text))
    counts = {"ja" if kana else "zh": (kana + han) * _CJK_WEIGHT} if kana + han else {}
    for code, pattern in _SCRIPTS:
        n = len(pattern.findall(text))
        if n:
            counts[code] = n * (_CJK_WEIGHT if code == "ko" else 1)
    if not counts:
        return "en"
    code, n = max(counts.items(), key=lambda kv: kv[1])
    return code if n >= latin else "en"


def name(code: str, in_lang: str = "en") -> str:
    """The name of a language code in English (or in Japanese with in_lang="ja"), or the code itself."""
    return (NAMES_JA if in_lang == "ja" else NAMES).get(code, code)
