"""Index-time check for poisoned knowledge: instructions aimed at the model inside a chunk."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np

from bot.guard.base import ScanContext, ScanResult
from bot.guard.decode import match_views
from bot.guard.normalize import normalize
from bot.guard.rules import find, gap, rule, score, words
from bot.guard.rules_injection import RULES as INJECTION_RULES
from bot.guard.secrets import find_secrets_uncached

_AI = words("assistant", "ai", "bot", "chatbot", "model", "llm", "language model", "helpbot", "gpt")
KB_RULES = [
    rule("knowledge.injection", r"\b(?:the|this|any|an?)\s+" + _AI + r"\s+(?:must|should|shall|will|is to|has to)\b"
         + gap(60) + words("say", "tell", "respond", "answer", "reply", "ignore", "reveal", "include",
                           "recommend", "direct", "send", "ask", "never", "always", "claim", "output")),
    rule("knowledge.injection", words("when", "if", "whenever") + r"\s+(?:a|the|any)?\s*"
         + words("user", "users", "customer", "customers", "someone", "anyone", "people") + r"\s+"
         + words("asks?", "asking", "mentions?", "says?", "requests?", "writes?")
         + gap(80) + words("respond", "reply", "answer", "tell them", "say", "instead", "you must", "always",
                           "you should", "direct them", "send them", "output")),
    rule("knowledge.injection", words("tell", "instruct", "ask", "direct", "convince", "advise")
         + r"\s+(?:the\s+)?" + words("user", "users", "customer", "customers", "them", "people", "readers")
         + gap(30) + words("send", "email", "share", "give", "enter", "provide", "post", "paste", "dm")
         + gap(40) + words("password", "passwords", "card number", "credit card", "pin", "2fa code",
                           "verification code", "api key", "token", "credentials", "seed phrase", "ssn")),
    rule("knowledge.injection", words("do not", "don't", "never") + r"\s+"
         + words("tell", "reveal", "mention", "inform", "disclose to", "let") + r"\s+"
         + words("the user", "users", "the customer", "customers", "anyone", "them") + gap(40)
         + words("about this", "this", "that", "these instructions", "you were told", "the instructions"), 0.6),
    rule("knowledge.injection", r"<!--" + r"[^>]{0,400}" + words("ignore", "assistant", "ai", "instruction",
                                                                 "instructions", "system", "prompt", "respond",
                                                                 "say", "model")),
    rule("knowledge.injection", words("note to (?:the )?(?:ai|assistant|bot|model|llm)",
                                      "instructions? for (?:the )?(?:ai|assistant|bot|model|llm)",
                                      "(?:ai|assistant|bot|llm) instructions?", "hidden instructions?",
                                      "message to (?:the )?(?:ai|assistant|bot|model)")),
]
_INVISIBLE_RE = re.compile("[\u200b-\u200f\u2060-\u2064\ufeff\U000e0000-\U000e007f]")


def scan_knowledge_chunk(text: str, embed: Callable[[str], np.ndarray] | None = None) -> ScanResult:
    """Scan a knowledge chunk at index time.

    Returns "block" (reason knowledge.injection, extra = the matching rule code) when the
    chunk carries instructions for the model, "flag" (knowledge.hidden_text) when it hides
    invisible characters, else "pass". `embed` (optional) adds the attack-exemplar
    similarity layer.
    """
    hidden = len(_INVISIBLE_RE.findall(text))
    clean = normalize(text)
    best, code = 0.0, None
    for _, view in match_views(clean):
        for rules in (KB_RULES, INJECTION_RULES):
            total, c = score(find(rules, view))
            if total > best:
                best, code = total, c
    if best >= 1.0:
        return ScanResult(clean, "block", 1.0, "knowledge.injection", (code,) if code != "knowledge.injection" else ())
    if embed is not None:
        from bot.guard.scanners.injection_embedding import InjectionEmbeddingScanner

        r = InjectionEmbeddingScanner(block=0.85).scan(clean, ScanContext(embed=embed))
        if r.verdict == "block":
            return ScanResult(clean, "block", r.risk, "knowledge.injection", (r.reason,))
    if hidden >= 3:
        return ScanResult(clean, "flag", 0.5, "knowledge.hidden_text")
    if best >= 0.5:
        return ScanResult(clean, "flag", best, "knowledge.suspicious", (code,))
    return ScanResult(clean)


@dataclass(frozen=True)
class KnowledgeFinding:
    """One chunk the index-time scan objects to. `excluded`: never given to the LLM as a passage."""

    chunk_id: str
    where: str  # file:line
    verdict: str  # "block" | "flag"
    reason: str  # knowledge.injection | knowledge.hidden_text | knowledge.suspicious | knowledge.secret
    codes: tuple[str, ...] = ()

    @property
    def excluded(self) -> bool:
        return self.reason != "knowledge.secret"  # secrets are masked in passages and answers instead

    def describe(self) -> str:
        codes = f" ({', '.join(self.codes)})" if self.codes else ""
        fix = ("remove the secret from the file and rotate it" if self.reason == "knowledge.secret"
               else "not sent to the LLM; reword or remove the text")
        return f"{self.where}: {self.chunk_id}: {self.reason}{codes}: {fix}"

    def to_dict(self) -> dict:
        return {"chunk_id": self.chunk_id, "where": self.where, "verdict": self.verdict, "reason": self.reason,
                "codes": list(self.codes)}


def excluded_ids(findings: Iterable[KnowledgeFinding]) -> frozenset[str]:
    """Ids of chunks never given to the LLM as passages (logic answers may still cite them)."""
    return frozenset(f.chunk_id for f in findings if f.excluded)


class ScanCache:
    """Verdicts of the last scan by text hash, so a reload rescans only changed chunks.

    Holds the entries of the latest scan only, so it stays the size of the knowledge base."""

    def __init__(self):
        self.verdicts: dict[str, tuple[tuple[str, str, tuple[str, ...]], ...]] = {}

    def scan(self, chunks: Iterable) -> list[KnowledgeFinding]:
        fresh: dict[str, tuple] = {}
        findings = []
        for chunk in chunks:
            text = f"{chunk.title}\n\n{chunk.text}"
            key = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
            verdicts = fresh.get(key) or self.verdicts.get(key)
            if verdicts is None:
                verdicts = _verdicts(text)
            fresh[key] = verdicts
            where = f"{chunk.source_file}:{chunk.line}"
            findings += [KnowledgeFinding(chunk.id, where, *v) for v in verdicts]
        self.verdicts = fresh
        return findings


def _verdicts(text: str) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(verdict, reason, codes) of what the scan objects to in one chunk's text."""
    out = []
    result = scan_knowledge_chunk(text)
    if result.verdict != "pass":
        out.append((result.verdict, result.reason or "knowledge.suspicious", tuple(c for c in result.extra if c)))
    secrets = find_secrets_uncached(text)
    if secrets:
        out.append(("flag", "knowledge.secret", tuple(dict.fromkeys(s.kind for s in secrets))))
    return tuple(out)


def scan_chunks(chunks: Iterable, cache: ScanCache | None = None) -> list[KnowledgeFinding]:
    """Rules-only scan of every chunk's title and text (what a passage shows the model).

    With `cache` (the bot keeps one), chunks whose text was scanned last time are not scanned again."""
    return (cache or ScanCache()).scan(chunks)
