"""Split a message into the requests it contains, in English and Japanese.

Sentences split at . ! ? 。！？; clauses split only at explicit joiners ("and also", "plus",
"あと", "ついでに" ...), never at a bare "and": "How do I invite and remove members?" is one
question. A sentence that asks nothing ("I'm new here.") is context: it joins the next request.
Repeated parts are dropped and the number of parts is capped, so cost stays bounded.
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
    r"[,;]?\s+(?:and also|and then also|and then|also|plus|additionally|as well as that|oh and|and btw|btw|by the way)"
    r"[,:]?\s+" + _REQUEST_START + r"|[,;]\s*and\s+" + _REQUEST_START + r"|\s+[+&]\s+"
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


def norm_key(text: str) -> str:
    return _NORM.sub(" ", text.lower()).strip()


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(text) if s and s.strip()]


def _clauses(sentence: str) -> list[str]:
    return [c.strip() for c in _JOINER.split(sentence) if c and c.strip()]


def strip_leading(text: str) -> str:
    stripped = _LEADING.sub("", text.strip(), count=1).strip()
    return stripped[:1].upper() + stripped[1:] if stripped else text.strip()


def split_message(text: str, max_parts: int = 4, is_smalltalk=None) -> Split:
    """The requests in `text`, in order; context sentences joined to the next request."""
    pieces = [strip_leading(c) for s in _sentences(text) for c in _clauses(s)]
    pieces = [p for p in pieces if norm_key(p)]
    reasons: list[str] = []
    if is_smalltalk is not None and len(pieces) > 1:
        kept = [p for p in pieces if not is_smalltalk(p)]
        if kept and len(kept) < len(pieces):
            reasons.append("split.smalltalk_dropped")
            pieces = kept
    merged: list[str] = []
    pending = ""
    for piece in pieces:
        if not is_request(piece) and len(pieces) > 1:
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
