"""Index storage (SQLite) and hybrid search (vectors + FTS5 keywords, fused)."""
