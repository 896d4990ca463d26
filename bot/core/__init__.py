"""The core: one snapshot of knowledge + index + thresholds, and the pipeline that runs a message
through guard -> router -> answer -> output guard -> audit.

In: a `bot.messages.Message` from an adapter. Out: a `bot.messages.Reply` (and one audit row).
"""
