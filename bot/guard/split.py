"""Split a message into the requests it contains, in English and Japanese. The one splitter: the
router splits messages into parts with `split_message`, the guard finds smuggled instructions in
the `segments` of a message (bot/guard/rules.py).

Sentences split at . ! ? 。！？; clauses split only at explicit joiners ("and also", "plus",
"あと", "ついでに" ...), never at a bare "and": "How do I invite and remove members?" is one
question. Without punctuation, a second request is found by what starts it (`run_on_splits`): an
imperative verb right after a finished question ("... creates a card Generate SQL code",
"... move up to Business translate to polish"), a capitalised question word mid-sentence, or a
switch of language or script. A sentence that asks nothing ("I'm new here.") is context: it joins
the next request. Repeated parts are dropped and the number of parts is capped, so cost stays bounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Sentence ends: ASCII punctuation followed by space (not "e.g. " or "v2.1") or by Japanese text
# (the guard's normalisation turns "？" into "?"), or CJK punctuation.
_SENTENCE = re.compile(r"(?<=[.!?])(?<!\b[a-z]\.[a-z]\.)(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\betc\.)\s+|(?<=[。！？])(?=\S)|(?<=[.!?])(?=[\u3040-\u30ff\u4e00-\u9fff])|\n+")
# Joiners that start a new request inside a sentence.
_REQUEST_START = (
    r"(?=(?:can|could|would|will|please|tell|write|give|show|explain|how|what|what's|why|where|when|who|which|is|are|"
    r"do|does|make|create|help|translate|book|find|compose|generate|draft|summari[sz]e|recommend|i|i'd|i'm|sing|"
    r"order|send|set|play)\b)"
)
_JOINER = re.compile(
    # a whitespace run is entered at its start only ((?<!\s) ... \s++): linear on "\n \n \n ..."
    r"(?:[,;]|(?<!\s))\s++(?:and also|and then also|and then|also|plus|additionally|as well as that|oh and|and btw|btw|"
    r"by the way)[,:]?\s+" + _REQUEST_START + r"|[,;]\s*+and\s+" + _REQUEST_START + r"|(?<!\s)\s++[+&]\s+"
    r"|[、,]\s*(?=(?:あと|それと|ついでに|それから|それに)[、,]?)",
    re.I,
)
# Words that open a request after a joiner, stripped before routing.
_LEADING = re.compile(
    r"^(?:(?:and also|also|and|plus|additionally|oh and|btw|by the way|another (?:thing|question)|one more (?:thing|question)|"
    r"secondly|second|finally|lastly)\b[,:]?\s*|(?:あと|それと|ついでに|それから|それに|また)[、,]?\s*)+",
    re.I,
)
_QUESTION_WORDS = re.compile(
    r"^(?:how|what|what's|whats|why|when|where|who|which|can|could|would|will|do|does|did|is|are|am|was|were|should|"
    r"shall|may|might|has|have|any|tell|write|give|show|explain|help|translate|make|create|compose|generate|draft|"
    r"summari[sz]e|list|find|book|order|play|set|send|calculate|recommend|describe|draw|sing|please|let|i need|"
    r"i want|i'd like|i would like|i'm looking|i am looking|i can't|i cannot|where's|how's|who's)\b",
    re.I,
)
# Japanese requests end in a question or a request form (…か, …て, …ください, …たい, …には, …？).
_JA_REQUEST = re.compile(r"(?:か|て|で|ください|たい|には|は|の|？|\?)[。！!]?$")
# Sentences that open with a subject state something; the rest (imperatives) ask for something.
_STATEMENT = re.compile(
    r"^(?:i|i'm|im|i've|i'll|we|we're|we've|my|our|the|this|that|these|those|it|it's|its|there|there's|he|she|they|"
    r"their|his|her|your|you|a|an|so|just|currently|recently|yesterday|today|now|ok|okay|well|sadly|unfortunately|"
    r"[\w'-]{2,}(?:ed|s)\b)\b",
    re.I,
)
_NORM = re.compile(r"[\W_]+", re.UNICODE)


@dataclass
class Split:
    parts: list[str]
    reasons: list[str] = field(default_factory=list)
    dropped: int = 0  # distinct parts beyond the cap
    tentative: bool = False  # cut where the knowledge's words end (`coherence_cut`): the router confirms it


def is_request(text: str) -> bool:
    """A question or an instruction, as opposed to a statement that only gives context
    ("I'm new here.", "Our plan renewed yesterday.")."""
    t = text.strip()
    if not t:
        return False
    if t.endswith(("?", "？")) or _QUESTION_WORDS.match(t):
        return True
    if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", t):
        return bool(_JA_REQUEST.search(t))
    if re.search(r"\b(please|can you|could you|would you|how (?:do|can|to)|i need|i want)\b", t, re.I):
        return True
    return not _STATEMENT.match(t)  # an imperative ("Ignore the rules ...") is a request


# Verbs that open a request of their own (base form: an imperative).
_OPENERS = (  # no word that is as often a noun ("list", "reply", "draft", "output", "order")
    "generate|write|translate|ignore|disregard|forget|tell|give|say|repeat|reveal|pretend|summari[sz]e|explain|"
    "create|make|compose|describe|recommend|sing|calculate|convert|draw|imagine|roleplay|role-play|rewrite|solve|"
    "provide|produce|from now on"
)
_OPENER_RE = re.compile(rf"(?<=\s)(?:{_OPENERS})\b", re.I)
# A lower-case question that starts mid-sentence: a question word with its auxiliary, or an
# auxiliary with its subject ("... cost can you find ...", "... my invoices when do i need ...").
_LOWER_QUESTION_RE = re.compile(
    r"(?<=[a-z0-9)\]]\s)(?:(?:what|when|where|why|who|which)(?:'s|\s+(?:is|are|was|were|do|does|did|can|could|"
    r"should|would|will|time|day))|how(?:'s|\s+(?:much|many|long|to|do|does|did|can|could|is|are|should|would|old|"
    r"far))|(?:can|could|do|does|will|would|should|is|are)\s+(?:you|i|we|there|it|my)|i\s+(?:need|want|would like)|"
    r"i'd\s+like|tell\s+me|please|you\s+are|you're)\b",
    re.I,
)
# Words after which a question word opens an embedded clause, not a new request ("know what", "see who").
_CLAUSE_TAKERS = frozenset("""know knows knew see sees saw find finds tell tells show shows ask asks check checks wonder
wondering understand explain decide choose learn figure out about on of from is whether if sure idea remember forget
determine say guess clear unsure asking like into at over in for by with me us them""".split())
# The part before a lower-case question must be a question of its own: it has its verb
# ("How many guests | can we have" is one question).
_AUX = frozenset("""is are was were do does did can could should would will has have had am i'm it's what's
how's where's happens happened works work need want""".split())
# A capitalised word that is never a name, after a lower-case one: a new sentence without its full stop.
_QUESTION_MID_RE = re.compile(r"(?<=[a-z0-9)\]]\s)(?:What|How|Why|Where|When|Who|Which|Can you|Could you|Tell me|"
                              r"(?:Is|Are|Was|Were|Does|Did|Do|Will|Would|Should|Could|Can|Am)\s+(?i:there|you|i|it|we|"
                              r"they|my|your|the|any|this|that)|Hey|Hi|Hello|Please|Don't|For the|Let's|Let me)\b")
# Words after which a verb continues the same request ("can members create", "let guests see", "to write").
_GLUE = frozenset("""to i we you they he she it can could would should will shall do does did don't doesn't didn't
please and or not cannot can't how what why when where who which that me us them him her let lets let's help helps
allow allows make makes made have has had get gets must might may want wants need needs is are was were be been the
a an my your our their its just also then i'll we'll you'll i'd i'm we're so if whether there here""".split())
_LOOKBACK = 3  # a modal or causative this close before the verb keeps it in the same request
_MODALS = frozenset("""can could would should will shall do does did let lets allow allows make makes help helps
must might may want wants need needs have has get gets please""".split())
_FIRST_WORD = re.compile(r"\S+")
# Function words of languages other than English: a run of them after English text starts a new request.
_FOREIGN = frozenset("""und der die das nicht ist ich du sie wir ihr mir mich dich sich alle allen vorherigen
anweisungen vergiss vergessen ignoriere schreibe sag sage bitte jetzt auf mit für von zu ein eine einen einem
andere anderen anderer dies diese dieser wer wie wo warum was sind bin bist hat haben wird werden kann können
frage kontext antwort deine dein meine mein
le la les des une est pas je tu nous vous avec pour dans sur ton tes mes toutes instructions précédentes
el los las una es por para con como que del todas todo ahora escribe dime olvida ignora
il gli di che per con una sono tutte ora scrivi dimmi
vergiss ignoriere sag schreib gib zeig antworte übersetze oublie oubliez dis écris donne montre réponds traduis
ignorez olvida olvidá escribe dame muestra responde traduce dimentica mostra rispondi traduci esqueça escreva diga
mostre responda traduza
wann wieso weshalb welche welcher welches wofür woher wohin gibt es hat habe hast mein meiner meinem oder aber auch
noch nach bei über sollte sollen werde wird wurde viel oft kein keine man im ins vom zum zur dem den des
quel quelle quels comment pourquoi où quand est-ce qu'est-ce il elle ils sont fait faire peux peut puis mon ma
cuál cuáles cómo dónde cuándo qué quién puedo puede tengo tiene hay mi mis su sus del al lo
qual quale quali come dove quando chi posso può ho ha mio mia sono
qual quais como onde quando quem posso pode tenho tem meu minha são""".split())
_ENGLISH = frozenset("""the a an to of in on for and or is are do does how what why can i my we our you your it
this that with from at by be was were will would should could me us have has""".split())
_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'-]+", text.lower())


_ASKS_AFTER_COMMA = re.compile(r",\s*(?:how|what|why|when|where|who|which|can|could|would|is|are|do|does|should)\b", re.I)


def _is_question_start(text: str) -> bool:
    return bool(_QUESTION_WORDS.match(text.strip())) and len(_words(text)) >= 3


def _script_cut(sentence: str) -> int | None:
    """Where the text switches between Latin and CJK or Cyrillic script (both sides substantial)."""
    for pattern in (_CJK, _CYRILLIC):
        m = pattern.search(sentence)
        if not m or m.start() == 0:
            continue
        left = sentence[: m.start()]
        if len(_words(left)) >= 3 and not pattern.search(left):
            return m.start()
    last = None
    for last in _CJK.finditer(sentence):
        pass
    if last is not None and _CJK.match(sentence):  # CJK, then Latin words: "…するには what rhymes with orange"
        tail = re.search(r"[A-Za-z]", sentence[last.end():])
        if tail and len(_words(sentence[last.end():])) >= 3:
            return last.end() + tail.start()
    return None


def _language_cut(sentence: str) -> int | None:
    """Where English words give way to a run of another language's function words."""
    tokens = list(re.finditer(r"[\w'-]+", sentence))
    low = [t.group(0).lower() for t in tokens]
    for i in range(3, len(tokens) - 2):
        ahead = low[i:i + 5]
        foreign = sum(w in _FOREIGN and w not in _ENGLISH for w in ahead)
        if foreign >= 3 and low[i] in _FOREIGN and low[i] not in _ENGLISH and sum(w in _ENGLISH for w in low[:i]) >= 2 \
                and sum(w in _FOREIGN for w in low[max(0, i - 3):i]) == 0:
            return tokens[i].start()
    return None


# Words that carry no topic: they neither tie a part to the knowledge nor break from it.
_FUNCTION = _GLUE | _MODALS | _ENGLISH | _CLAUSE_TAKERS | frozenset("""am being been i'd i'll i've you've we've
they're it's that's what's how's there's isn't aren't wasn't weren't won't wouldn't shouldn't couldn't im dont cant
this these those some any all each every no yes not only very too also more most much many few lot lots other
another such own same than then now here there up down out off over under again once about above after before
between into through during without within along across against among around behind below beside near since
toward towards upon via per hey hi hello ok okay thanks thank oh well yeah sure really just still even ever
never always sometimes something anything nothing everything someone anyone everyone one ones thing things way
get got getting go going gone went come came use used using like know want need see say said tell give take
put keep try let mine yours ours theirs myself yourself ourselves himself herself itself themselves""".split())
# Words that never open a request of their own: the text before them goes on.
_NON_OPENER = frozenset("""of in on at for with from by to into about as than and or but nor so because if while when where once
though although unless until whether that which whose whom the a an these those its their his her our your
my some any each every no not very too more most much many few other such own same per via including like without
within across between during after before since over under up down out off""".split())
# Words after which the next one continues the same phrase ("the", "to", "my", "can", "we" ...).
_HOLDS = (_NON_OPENER - frozenset("some any each every no not very too more most much many few other such own same "
                                  "like".split())) | frozenset("""is are was were be been am has have had do does did
will would should could can may might must shall i we you they he she let lets please don't doesn't didn't can't
cannot won't isn't aren't i'm we're you're they're i'd i'll next last first this get gets got make makes made keep
keeps""".split())
_OBJECTS = frozenset("me us him them it".split())  # they end a clause, never open one
# A part that points back ("is that possible?", "how do I kill it?") belongs to the words before it.
_BACK = frozenset("it that them one other".split())
# A clause has words of its own kind: a pronoun, an auxiliary, a determiner, a question word ("Acme
# Corp" or "IDs like TL-123" after a question are not a request).
_CLAUSE = (_FUNCTION - _NON_OPENER) | frozenset("a an the my your our their this".split())
# Words that open a request: a cut there is preferred to one a word away.
_STARTS = frozenset(_OPENERS.split("|")) | frozenset("""what what's whats how how's why when where who which can
could would will do does did is are should i i'm i'd i'll im please hey you set find book play""".split())


def _word_known(word: str, vocabulary) -> bool:
    if word in vocabulary:
        return True
    for end in ("'s", "s", "es", "ed", "d", "ing", "ly"):  # "invites", "invited", "inviting" -> "invite"
        if word.endswith(end) and len(word) - len(end) >= 3 and (
                word[: -len(end)] in vocabulary or word[: -len(end)] + "e" in vocabulary):
            return True
    return word + "s" in vocabulary


def vocabulary_share(text: str, vocabulary) -> tuple[int, int]:
    """(known, unknown): the content words of `text` that the knowledge uses, and those it never uses."""
    kinds = [_word_known(w, vocabulary) for w in re.findall(r"[^\W\d_][\w'’-]*", text.lower())
             if w not in _FUNCTION and len(w) > 1]
    return sum(kinds), len(kinds) - sum(kinds)


def coherence_cut(sentence: str, vocabulary) -> int | None:
    """Where the words the knowledge uses give way to words it never uses: "How do I reset my
    password | what timezone is the country in". The offset of the second part, or None.

    Each content word (not a function word, not a number) is known (the knowledge uses it) or not.
    The cut minimises the known words after it plus the unknown ones before it, and needs: at least
    three words and a known word before, at least as many known as unknown words before; two words
    after, a function word among them (a clause, not a trailing name: "... with my client Acme
    Corp"), an unknown word and no more known than unknown ones; a word there that can open a
    request (not "of", "the", "with" ...) after one that does not hold the next ("to", "my" ...).
    Latin script only (CJK text is cut by script). The router keeps the cut only when the first
    part is answered and the second is out of scope (`Split.tentative`)."""
    if len(sentence) > 1000 or _CJK.search(sentence):
        return None
    tokens = list(re.finditer(r"[^\W\d_][\w'’-]*", sentence))
    words = [t.group(0).lower().replace("’", "'") for t in tokens]
    n = len(words)
    if n < 5:
        return None
    kinds = [None if w in _FUNCTION or len(w) < 2 else _word_known(w, vocabulary) for w in words]
    known_before = [0] * (n + 1)
    unknown_before = [0] * (n + 1)
    for i, k in enumerate(kinds):
        known_before[i + 1] = known_before[i] + (k is True)
        unknown_before[i + 1] = unknown_before[i] + (k is False)
    best, best_misfit = None, None
    for i in range(3, n - 1):
        if words[i] in _NON_OPENER or words[i] in _OBJECTS or words[i - 1] in _HOLDS:
            continue
        kp, up = known_before[i], unknown_before[i]
        ks, us = known_before[n] - kp, unknown_before[n] - up
        if kp < 1 or kp < up or us < 1 or ks > us:
            continue
        after = words[i:]
        first = next(k for k in kinds[i:] + [False] if k is not None)
        if (first and words[i] not in _STARTS) or not any(w in _CLAUSE or w in _FOREIGN for w in after) \
                or (us < 2 and any(w in _BACK for w in after)):
            continue
        misfit = up + ks - (0.5 if words[i] in _STARTS else 0.0)
        if best_misfit is None or misfit < best_misfit:
            best, best_misfit = i, misfit
    return tokens[best].start() if best is not None else None


def run_on_splits(sentence: str) -> list[str]:
    """A sentence without punctuation between its requests, cut where the second one starts."""
    if len(sentence) > 1000:
        return [sentence]
    if _CJK.match(sentence):  # a Japanese (CJK) request, then one in Latin script
        cut = _script_cut(sentence)
        return [sentence[:cut].strip(), sentence[cut:].strip()] if cut else [sentence]
    if not (_is_question_start(sentence) or _ASKS_AFTER_COMMA.search(sentence[:200])):
        return [sentence]
    cuts = []
    for m in _OPENER_RE.finditer(sentence):
        before = _words(sentence[: m.start()])
        after = _words(sentence[m.start():])
        if len(before) < 3 or len(after) < 3:
            continue
        capital = m.group(0)[0].isupper() and not before[-1][:1].isupper()
        glued = before[-1] in _GLUE or any(w in _MODALS for w in before[-_LOOKBACK:])
        if capital or not glued:
            cuts.append(m.start())
            break
    for m in _LOWER_QUESTION_RE.finditer(sentence):
        before = _words(sentence[: m.start()])
        if len(before) >= 3 and len(_words(sentence[m.start():])) >= 3 and before[-1] not in _GLUE \
                and before[-1] not in _CLAUSE_TAKERS and any(w in _AUX for w in before):
            cuts.append(m.start())
            break
    for m in _QUESTION_MID_RE.finditer(sentence):
        if len(_words(sentence[: m.start()])) >= 3 and len(_words(sentence[m.start():])) >= 3:
            cuts.append(m.start())
            break
    for cut in (_script_cut(sentence), _language_cut(sentence)):
        if cut is not None:
            cuts.append(cut)
    if not cuts:
        return [sentence]
    cut = min(cuts)
    return [sentence[:cut].strip(), sentence[cut:].strip()]


def _pieces(text: str) -> list[tuple[str, bool]]:
    """(piece, True when a run-on cut made it: each side of a cut is a request by construction)."""
    out = []
    for s in _sentences(text):
        for c in _clauses(s):
            cut = run_on_splits(c)
            out += [(p, len(cut) > 1) for p in cut if p]
    return out


def segments(text: str) -> list[str]:
    """Sentences, clauses and run-on requests, in order: what the guard strips smuggled parts from."""
    return [p for p, _ in _pieces(text)]


def norm_key(text: str) -> str:
    return _NORM.sub(" ", text.lower()).strip()


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]


def _clauses(sentence: str) -> list[str]:
    return [c.strip() for c in _JOINER.split(sentence) if c and c.strip()]


def strip_leading(text: str) -> str:
    stripped = _LEADING.sub("", text.strip(), count=1).strip()
    return stripped[:1].upper() + stripped[1:] if stripped else text.strip()


def split_message(text: str, max_parts: int = 4, is_smalltalk=None, vocabulary=None) -> Split:
    """The requests in `text`, in order; context sentences joined to the next request.
    `vocabulary` (words the knowledge uses, e.g. `Keywords.totals`): a message that reads as one
    request is also cut where its words leave the knowledge's (`coherence_cut`), tentatively."""
    split = _split(text, max_parts, is_smalltalk)
    if vocabulary and len(split.parts) == 1:
        whole, last = split.parts[0], _pieces(text)[-1][0]  # context sentences, then the run-on request
        at = whole.rfind(last)
        cut = coherence_cut(last, vocabulary) if at >= 0 else None
        if cut is not None:
            first, second = whole[:at + cut].strip(" ,;:-"), whole[at + cut:].strip()
            if norm_key(first) and norm_key(second):
                return Split([first, second], split.reasons + ["split.coherence", "split.parts_2"], tentative=True)
    return split


def _split(text: str, max_parts: int, is_smalltalk) -> Split:
    found = [(strip_leading(p), cut) for p, cut in _pieces(text)]
    found = [(p, cut) for p, cut in found if norm_key(p)]
    run_on = {p for p, cut in found if cut}
    pieces = [p for p, _ in found]
    reasons: list[str] = []
    if is_smalltalk is not None and len(pieces) > 1:
        kept = [p for p in pieces if not is_smalltalk(p)]
        if kept and len(kept) < len(pieces):
            reasons.append("split.smalltalk_dropped")
            pieces = kept
    merged: list[str] = []
    pending = ""
    for piece in pieces:
        if not is_request(piece) and piece not in run_on and len(pieces) > 1:
            pending = f"{pending} {piece}".strip()
            continue
        merged.append(f"{pending} {piece}".strip() if pending else piece)
        pending = ""
    if pending:
        if merged:
            merged[-1] = f"{merged[-1]} {pending}"
        else:
            merged.append(pending)
    unique: dict[str, str] = {}
    for part in merged:
        unique.setdefault(norm_key(part), part)
    if len(unique) < len(merged):
        reasons.append("split.deduplicated")
    parts = list(unique.values())
    dropped = max(0, len(parts) - max_parts)
    if dropped:
        reasons.append("split.capped")
        parts = parts[:max_parts]
    if len(parts) > 1:
        reasons.append(f"split.parts_{len(parts)}")
    if len(parts) == 1 and parts[0] == strip_leading(text):
        parts = [text.strip()]  # the whole message as sent: it shares the message's embedding
    return Split(parts or [text.strip()], reasons, dropped)
