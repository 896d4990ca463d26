"""A tiny extra platform, defined outside helpbot and registered through a `helpbot.adapters` entry
point (see test_platform_plugin.py): one folder that implements adapters.base.Adapter.

Its wire is a loopback TCP socket, one line per message: `USER TEXT` in, `reply: ...` out.
`USER !command args` is an admin command; the admins are the `--admin` users.
"""

from __future__ import annotations

import asyncio

import click

from adapters.base import Adapter, Secret, Serving
from bot.messages import Message
from bot.ops.admin import admin_command


class Echo(Adapter):
    name = "echo"
    help = "A loopback line platform: 'USER TEXT' per line in, one 'reply: ...' line out."
    options = (
        click.Option(["--port"], type=int, default=0, show_default=True, help="Port on 127.0.0.1 (0 = any)."),
        click.Option(["--admin", "admins"], multiple=True, help="A user allowed to run !commands."),
    )

    def __init__(self, settings, port: int = 0, admins: tuple[str, ...] = ()):
        self.settings, self.port, self.admins = settings, port, set(admins)
        self.writers: set[asyncio.StreamWriter] = set()

    def secrets(self) -> list[Secret]:
        return [Secret("ECHO_TOKEN", "any value: the echo platform only checks that it is set")]

    async def run(self, bot, serving: Serving) -> None:
        server = await asyncio.start_server(lambda r, w: self._connection(bot, serving, r, w), "127.0.0.1", self.port)
        try:
            serving.say(f"helpbot: serving echo on 127.0.0.1:{server.sockets[0].getsockname()[1]}")
            await serving.stopped()
            server.close()  # no new connections; the answers in flight still go out
            await serving.drain()
        finally:
            server.close()
            for writer in self.writers:
                writer.close()

    async def _connection(self, bot, serving: Serving, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.add(writer)
        while line := await reader.readline():
            user, _, text = line.decode().strip().partition(" ")
            await serving.run(self._answer(bot, user, text, writer))

    async def _answer(self, bot, user: str, text: str, writer: asyncio.StreamWriter) -> None:
        message = Message(text, platform="echo", user_id=user, channel_id="echo")
        if text.startswith("!"):
            command, *args = text[1:].split()
            out = (await admin_command(bot, message, command, args, allowed=user in self.admins)).text
        else:
            out = (await bot.handle(message)).answer
        writer.write(("reply: " + " ".join(out.split()) + "\n").encode())
        await writer.drain()
