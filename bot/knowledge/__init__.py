"""The knowledge base: plain files (scope.yaml, faq/*.yaml, docs/**/*.md) validated into chunks.

In: a knowledge folder. Out: a `KnowledgeBase` (scope and `Chunk`s with content hashes), or a
`KnowledgeError` listing every problem with its file and line.
"""

from bot.knowledge.loader import Chunk, KnowledgeBase, load_knowledge

__all__ = ["Chunk", "KnowledgeBase", "load_knowledge"]
