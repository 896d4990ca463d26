"""Operations: admin commands, knowledge reload, stats and reports, the ops HTTP server
(health, readiness, metrics), logging, retention, watching the knowledge folder.

In: a built bot (`bot.core.pipeline.HelpBot`) and the admin's request. Out: text and data for the
admin, a swapped snapshot, `/metrics` and log lines.
"""
