"""`serve`: run one adapter with a loaded bot. The one place that checks secrets, loads the bot,
starts the ops server, handles SIGINT/SIGTERM (stop) and SIGHUP (reload, via the ops server), and
lets the answers in flight finish before the process ends.

    In: an `adapters.base.Adapter` and a way to build the bot. Out: status lines through `say`.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from typing import Callable

from adapters.base import Adapter, Serving, read_secrets


async def serve(
    adapter: Adapter,
    make_bot: Callable[[], object],
    say: Callable[[str], object] = print,
    stop: asyncio.Event | None = None,
    ops: bool = True,
) -> None:
    """Serve `adapter` until SIGINT/SIGTERM or `stop` is set (or the adapter returns by itself).

    `make_bot` runs in a thread after the secrets and the adapter's preflight passed, so a bad
    token fails before the slow model load. `ops=False` skips the ops server (and SIGHUP)."""
    from bot.ops.server import bound_port, start_ops_server

    secrets = read_secrets(adapter.secrets())
    await adapter.preflight(secrets)
    serving = Serving(say, stop, secrets)
    async with contextlib.AsyncExitStack() as cleanup:  # runs last-in, first-out
        bot = await asyncio.to_thread(make_bot)
        if ops:
            runner = await start_ops_server(bot)
            cleanup.push_async_callback(runner.cleanup)
            say(f"helpbot: ops server on http://{bot.settings.ops['host']}:{bound_port(runner)} (/healthz, /readyz, /metrics)")
        if stop is None:
            _stop_on_signals(serving.stop, cleanup)
        await adapter.run(bot, serving)
        serving.stopping()  # the adapter may have returned by itself (the console at end of input)
        await serving.drain()


def _stop_on_signals(stop: asyncio.Event, cleanup: contextlib.AsyncExitStack) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no signals here
            continue
        cleanup.callback(loop.remove_signal_handler, sig)
