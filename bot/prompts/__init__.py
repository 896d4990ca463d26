"""Versioned prompt files (TOML), loaded with bot.llm.prompt.PromptTemplate."""
