"""The adapter contract: what a chat platform implements so that `adapters.serve.serve` can run it.

An adapter is a class with a `name` (what `helpbot serve NAME` calls it), the `secrets` it needs
(environment variables, each with where to get it), and `run(bot, serving)`: connect, hand each
platform event to the bot as a `bot.messages.Message` inside `serving.track()`, and return once
`serving.stopped()` has fired and `serving.drain()` has let the work in flight finish.

The loading, secrets check, ops server, signals and drain live in `adapters/serve.py`, once;
the admin flow lives in `bot/ops/admin.py`. Platforms are found by name in `adapters/registry.py`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import AsyncIterator, Callable, ClassVar, Sequence

from bot.config import Settings
from bot.errors import HelpbotError

log = logging.getLogger("helpbot.adapters")
DRAIN_TIMEOUT_S = 10.0  # how long a stop waits for the answers in flight


@dataclass(frozen=True)
class Secret:
    """One environment variable an adapter needs: where to get it, and the prefix it must have."""

    name: str
    hint: str  # the fix, shown after "NAME is not set: "
    prefix: str = ""

    def read(self) -> str:
        value = Settings.secret(self.name)
        if not value:
            raise HelpbotError(f"{self.name} is not set: {self.hint}")
        if self.prefix and not value.startswith(self.prefix):
            shown = value.split("-", 1)[0] + "-" if "-" in value[:6] else "something else"
            raise HelpbotError(f"{self.name} must start with {self.prefix} (it starts with {shown}): {self.hint}")
        return value


def read_secrets(secrets: Sequence[Secret]) -> dict[str, str]:
    """Every secret's value by name; the first missing or malformed one is a HelpbotError (never printed)."""
    return {secret.name: secret.read() for secret in secrets}


class Stopping(Exception):
    """Raised by `Serving.track()` once a stop has begun: the adapter drops the new event."""


class Serving:
    """What `serve` hands an adapter's `run`: the stop signal, status lines, and the work in flight."""

    def __init__(self, say: Callable[[str], object] = print, stop: asyncio.Event | None = None,
                 secrets: dict[str, str] | None = None, drain_timeout: float = DRAIN_TIMEOUT_S):
        self.say = say
        self.secrets = secrets or {}  # the adapter's `secrets()`, read and checked, by name
        self.stop = stop or asyncio.Event()
        self.drain_timeout = drain_timeout
        self.inflight: set[asyncio.Task] = set()
        self._closed = self._said_stopping = False

    async def stopped(self) -> None:
        """Wait until serving should stop (SIGINT, SIGTERM, or `stop.set()`); says so once."""
        await self.stop.wait()
        self.stopping()

    def stopping(self) -> None:
        if not self._said_stopping:
            self._said_stopping = True
            self.say("helpbot: stopping")

    @contextlib.asynccontextmanager
    async def track(self) -> AsyncIterator[None]:
        """Run one event's work (answer, command, click) as work `drain` waits for.
        Raises `Stopping` once the drain has begun: no new work starts then."""
        if self._closed:
            raise Stopping()
        task = asyncio.current_task()
        if task in self.inflight:  # already tracked further up: the outer `track` removes it
            yield
            return
        self.inflight.add(task)
        try:
            yield
        finally:
            self.inflight.discard(task)

    async def run(self, coro) -> None:
        """`await coro` tracked; dropped (closed, not run) when a stop has begun."""
        try:
            async with self.track():
                await coro
        except Stopping:
            coro.close()
            log.info("dropped an event that arrived while stopping")

    async def drain(self, timeout: float | None = None) -> int:
        """Take no new work, wait (up to `timeout` s) for the work in flight; returns how many are left."""
        self._closed = True
        pending = [t for t in self.inflight if t is not asyncio.current_task()]
        if pending:
            _, left = await asyncio.wait(pending, timeout=self.drain_timeout if timeout is None else timeout)
            if left:
                log.warning("stopped with %d answers still being worked on", len(left))
            return len(left)
        return 0


class Adapter(ABC):
    """A chat platform. Subclasses set `name` and implement `secrets` and `run`; their constructor
    takes the settings plus the platform's own `helpbot serve NAME` options as keywords."""

    name: ClassVar[str]
    help: ClassVar[str] = ""  # the `helpbot serve NAME` help text
    options: ClassVar[Sequence] = ()  # click.Option objects for `helpbot serve NAME`; values go to __init__

    @abstractmethod
    def secrets(self) -> Sequence[Secret]:
        """The environment variables this configuration needs, checked before anything loads."""

    async def preflight(self, secrets: dict[str, str]) -> None:
        """Optional checks against the platform before the (slow) bot load, e.g. that a token is
        accepted. Holds nothing open; `run` connects for real."""

    @abstractmethod
    async def run(self, bot, serving: Serving) -> None:
        """Serve `bot` until `serving.stopped()`, then stop taking events, `await serving.drain()`,
        close the connections and return. Each event's work runs inside `serving.track()`."""
