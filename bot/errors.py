"""Errors whose message is shown to the user as is: say what is wrong and how to fix it."""


class HelpbotError(Exception):
    """A user-facing error: one line, naming the file/setting and the fix."""


class KnowledgeError(HelpbotError):
    """The knowledge folder is invalid. `errors` lists every problem found."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        head = self.errors[0] if self.errors else "invalid knowledge base"
        more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        super().__init__(head + more)


class ConfigError(HelpbotError):
    """The configuration is invalid."""
