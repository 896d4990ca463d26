"""The built-in LLM backends, one per module. Adding one is one file here (or an entry point in the
`helpbot.llm_backends` group of another package): an `LLM` subclass that sets `name`, declares its
own `[llm]` settings with their defaults in `settings`, and builds itself in `from_config(cfg)`.
The config schema (`bot.config.schema()`) and `[llm] backend`'s choices derive from them.
"""
