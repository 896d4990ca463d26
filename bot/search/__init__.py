"""Embedding and search: embedders (`embeddings`, `minilm`), the per-message embedding cache
(`embedcache`), the SQLite index store with vectors cached by text hash (`store`) and the
in-memory `SearchIndex` (`index`; its `search`, vectors plus FTS5 keywords fused by RRF, is not
what the router calls: the router scores entries itself, see bot/routing/features.py).

In: chunks and texts. Out: L2-normalised float32 vectors and a searchable index.
"""
