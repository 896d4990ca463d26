"""Words for keyword search in any script: the one tokenizer of the router's BM25, the doc passages
and the FTS index.

Latin, Cyrillic, Korean ... text is cut at non-word characters, as before. Japanese and Chinese are
written without spaces, so a run of kanji becomes overlapping character bigrams ("請求書" -> "請求",
"求書"), the usual way to search CJK without a dictionary (Lucene's CJKBigramFilter does the same).
A run of katakana is a loanword and stays one term ("パスワード"): its bigrams ("ード") would match
every other loanword ending alike (ボード, カード, ダウンロード). Hiragana runs are particles, endings
and auxiliaries ("を", "するには", "ください"), and a lone kanji is mostly a verb stem before its
hiragana ending ("作る", "教えて", "使う"): both carry no topic and are dropped like English function
words. Full-width and half-width forms are folded (NFKC) first, so "ＡＰＩ" is "api" and "ﾊﾟｽﾜｰﾄﾞ" is
"パスワード".
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"\w+", re.UNICODE)
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\u3006"  # kanji, 々, 〆
_KATAKANA = "\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff"  # with the long-vowel mark ー
_HIRAGANA = "\u3041-\u309f"
# One word split into script runs: kanji, katakana, hiragana, everything else.
_RUNS = re.compile(rf"([{_HAN}]+)|([{_KATAKANA}]+)|([{_HIRAGANA}]+)|([^{_HAN}{_KATAKANA}{_HIRAGANA}]+)")
_CJK = re.compile(rf"[{_HAN}{_KATAKANA}{_HIRAGANA}]")
CJK_CHARS_PER_WORD = 2  # for windows: two CJK characters count as one word


def has_cjk(text: str) -> bool:
    """True when `text` has Japanese or Chinese characters."""
    return bool(_CJK.search(text))


def bigrams(run: str) -> list[str]:
    """Overlapping character pairs of one run; a one-character run is itself."""
    return [run] if len(run) < 2 else [run[i : i + 2] for i in range(len(run) - 1)]


def words(text: str) -> list[str]:
    """The lower-cased search terms of `text`, in order (function words are the caller's to drop)."""
    if text.isascii():
        return _WORD.findall(text.lower())
    text = unicodedata.normalize("NFKC", text).lower()
    if not has_cjk(text):
        return _WORD.findall(text)
    out: list[str] = []
    for word in _WORD.findall(text):
        if not has_cjk(word):
            out.append(word)
            continue
        for han, kata, _hira, other in _RUNS.findall(word):
            if len(han) > 1:
                out += bigrams(han)
            elif kata and kata != "ー":
                out.append(kata)
            elif other and other != "_":
                out.append(other)
    return out


def fts_text(text: str) -> str:
    """`text` for a unicode61 FTS5 column: CJK terms appended (unicode61 would read a whole run of
    CJK characters as one token), so a bigram query finds them. Text without CJK is unchanged."""
    if text.isascii() or not has_cjk(text):
        return text
    return text + " " + " ".join(w for w in words(text) if has_cjk(w))


def word_starts(text: str) -> list[int]:
    """Where each word starts in `text`: whitespace-separated words, and within a CJK run one word
    every CJK_CHARS_PER_WORD characters. For cutting windows out of text without spaces."""
    starts: list[int] = []
    for m in re.finditer(r"\S+", text):
        starts.append(m.start())
        since = 0
        for i in range(m.start() + 1, m.end()):
            if _CJK.match(text, i):
                since += 1
                if since >= CJK_CHARS_PER_WORD:
                    starts.append(i)
                    since = 0
            else:
                since = 0
    return starts


def weight(term: str) -> int:
    """How much of a message a term holds, in letters: a kanji is a morpheme, about a short word, so it
    counts two; a kana is a syllable and a Latin letter a letter ("パスワード" 5, "変更" 4, "change" 6)."""
    return len(term) + len(_HAN_CHAR.findall(term))


_HAN_CHAR = re.compile(rf"[{_HAN}]")
