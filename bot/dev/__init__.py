"""Offline tools, never imported by the runtime: train the guard head, measure the guard.

In: the development data sets in ../shared/data (`bot.dev.datasets`, one reader and one on-disk
embedding cache). Out: the numbers shipped under bot/data/ and measurement reports.
"""
