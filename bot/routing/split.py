"""The router's view of the one splitter, which lives in bot/guard/split.py (the guard sits below
the router and strips smuggled instructions from the same segments)."""

from bot.guard.split import (Split, coherence_cut, is_request, norm_key, run_on_splits, segments, split_message,
                             strip_leading, vocabulary_share)

__all__ = ["Split", "coherence_cut", "is_request", "norm_key", "run_on_splits", "segments", "split_message", "strip_leading",
           "vocabulary_share"]
