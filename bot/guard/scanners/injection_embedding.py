from __future__ import annotations

from bot import strings
from bot.guard.base import ScanContext, ScanResult, Scanner
from bot.guard.exemplars import get_set
from bot.guard.similarity import message_vector, top


class InjectionEmbeddingScanner(Scanner):
    """Cosine similarity to the attack exemplars, with a margin over benign service anchors."""

    name = "injection_embedding"
    order = {"input": 80}
    defaults = {"block": 0.75, "flag": 0.65, "margin": 0.10}  # fitted
    replies = {"injection": strings.BLOCK_INJECTION}

    def __init__(self, block: float = defaults["block"], flag: float = defaults["flag"],
                 margin: float = defaults["margin"]):
        self.block, self.flag, self.margin = block, flag, margin

    def scan(self, text: str, context: ScanContext) -> ScanResult:
        vec = message_vector(text, context)
        if vec is None:
            return ScanResult(text)
        sim, row = top("attack_exemplars", vec, context)
        benign, _ = top("benign_anchors", vec, context)
        label = get_set("attack_exemplars").labels[row]
        if sim >= self.block and sim - benign >= self.margin:
            return ScanResult(text, "block", sim, "injection.embedding", (label,))
        if sim >= self.flag and sim > benign:
            return ScanResult(text, "flag", sim, "injection.embedding", (label,))
        return ScanResult(text)
