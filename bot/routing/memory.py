"""Follow-ups: a small, bounded memory of recent questions per conversation.

"and how do I undo that?" or "what about on mobile?" means little alone. When such a message
follows an in-scope question in the same conversation, it is also tried combined with that
question, and the router keeps whichever reading matches the knowledge better.
Memory: an LRU of `max_conversations` conversations, the last `turns` questions each.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict, deque
from dataclasses import dataclass

# A message that leans on what came before: opens with a connective or points back at something.
_CONNECTIVE = re.compile(
    r"^(?:and|but|so|then|also|ok(?:ay)?(?: and| so)?|what about|how about|and what about|what if|same for|"
    r"and for|and on|and in|and with|and if|and how|and what|and where|and can|and do|and is|or|"
    r"じゃあ|では|それで|それなら|あと|それと|じゃ|なら)\b",
    re.I,
)
_ANAPHOR = re.compile(
    r"\b(?:it|that|this|those|these|them|they|the same|instead|again|too|as well|undo|revert|reverse)\b"
    r"|それ|これ|あれ|その|この|同じ",
    re.I,
)
_WORD = re.compile(r"\w+", re.UNICODE)
SHORT_WORDS = 5


def leans_back(text: str) -> bool:
    """Opens with a connective ("and for guests?") or points back ("how do I undo that?")."""
    t = text.strip()
    return bool(_CONNECTIVE.match(t) or _ANAPHOR.search(t))


def is_follow_up_like(text: str) -> bool:
    """Cheap test: could this message depend on the previous question?"""
    t = text.strip()
    return leans_back(t) or len(_WORD.findall(t)) <= SHORT_WORDS or len(t) <= 12


def combine(previous: str, follow_up: str) -> str:
    """The text retrieved for a follow-up read together with the question it follows."""
    prev = previous.strip()
    if prev and prev[-1] not in ".?!。？！":
        prev += "?"
    return f"{prev} {follow_up.strip()}"


@dataclass(frozen=True)
class Turn:
    question: str  # the question as it was retrieved (follow-ups already resolved)
    route: str
    source: str | None = None


class ConversationMemory:
    """Thread-safe, bounded in both directions: conversations (LRU) and turns per conversation."""

    def __init__(self, turns: int = 4, max_conversations: int = 5000):
        self.turns = max(0, int(turns))
        self.max_conversations = max(0, int(max_conversations))
        self._data: OrderedDict[str, deque[Turn]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._data)

    def last(self, key: str) -> Turn | None:
        with self._lock:
            turns = self._data.get(key)
            if not turns:
                return None
            self._data.move_to_end(key)
            return turns[-1]

    def remember(self, key: str, turn: Turn) -> None:
        if not self.turns or not self.max_conversations:
            return
        with self._lock:
            turns = self._data.get(key)
            if turns is None:
                turns = self._data[key] = deque(maxlen=self.turns)
            turns.append(turn)
            self._data.move_to_end(key)
            while len(self._data) > self.max_conversations:
                self._data.popitem(last=False)

    def history(self, key: str) -> list[Turn]:
        with self._lock:
            return list(self._data.get(key, ()))
