"""The knowledge base: plain files (scope.yaml, faq/*.yaml, docs/**/*.md) validated into chunks."""

from bot.knowledge.loader import Chunk, KnowledgeBase, load_knowledge

__all__ = ["Chunk", "KnowledgeBase", "load_knowledge"]
