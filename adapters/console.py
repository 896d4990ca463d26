"""The console platform: `helpbot chat` (and `helpbot serve console`), interactive with history, or
piped, one message per line. The person at the terminal is the operator: an admin."""

from __future__ import annotations

import asyncio
import sys
import threading
from typing import AsyncIterator, Callable, Iterable, TextIO

from adapters.base import Adapter, Serving
from bot.messages import Message, Reply
from bot.ops.admin import admin_command

COMMANDS = {
    "/help": "show this list",
    "/quit": "leave the chat",
    "/reload": "reload the knowledge folder (/reload --dry-run shows the changes only)",
}
PROMPT = "> "


def render_text(reply: Reply) -> str:
    """A reply as plain text: the answer, its notes, then the numbered sources."""
    lines = [reply.answer, *reply.notes]
    if reply.sources:
        lines.append("")
        for n, s in enumerate(reply.sources, start=1):
            where = f" <{s.url}>" if s.url else ""
            lines.append(f"[{n}] {s.title}{where} ({s.id})")
    return "\n".join(lines)


def _enable_history() -> None:
    try:
        import readline  # noqa: F401  (line editing and up-arrow history)
    except ImportError:
        pass


async def _each(lines: Iterable[str] | AsyncIterator[str]) -> AsyncIterator[str]:
    if hasattr(lines, "__aiter__"):
        async for line in lines:
            yield line
    else:
        for line in lines:
            yield line


async def chat_loop(bot, lines, render: Callable[[Reply], str], out: TextIO, serving: Serving | None = None) -> None:
    """Answer each line until /quit or the end of `lines` (an iterable or async iterator)."""
    serving = serving or Serving()
    async for raw in _each(lines):
        line = raw.rstrip("\n")
        if line.strip().startswith("/"):
            command = line.strip().split()[0].lower()
            if command in ("/quit", "/exit"):
                return
            if command == "/help":
                out.write("\n".join(f"{c:<8} {d}" for c, d in COMMANDS.items()) + "\n")
            elif command == "/reload":
                message = Message(line.strip(), platform="console", user_id="console", channel_id="console")
                async with serving.track():
                    result = await admin_command(bot, message, "reload", line.split()[1:], allowed=True)
                out.write(result.text + "\n")
            else:
                out.write(f"unknown command {command}; /help lists commands\n")
            out.flush()
            continue
        if not line.strip():
            continue
        message = Message(line, platform="console", user_id="console", channel_id="console",
                          conversation_id="console:session", is_admin=True)
        async with serving.track():
            reply = await bot.handle(message)
        out.write(render(reply) + "\n\n")
        out.flush()


async def _read_lines(stdin: TextIO, prompt: str | None) -> AsyncIterator[str]:
    """Lines from a daemon thread (a blocked read never keeps the process alive after a stop)."""
    loop, queue = asyncio.get_running_loop(), asyncio.Queue()

    def put(item) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError:  # the loop has closed: nobody is reading any more
            pass

    def read() -> None:
        try:
            if prompt is None:
                for line in stdin:
                    put(line)
            else:
                while True:
                    put(input(prompt))
        except (EOFError, OSError, ValueError):
            pass
        finally:
            put(None)

    threading.Thread(target=read, name="helpbot-console", daemon=True).start()
    while (line := await queue.get()) is not None:
        yield line


class Console(Adapter):
    name = "console"
    help = "Chat in the terminal (or pipe one message per line). /help lists commands."

    def __init__(self, settings=None, stdin: TextIO | None = None, render: Callable[[Reply], str] = render_text,
                 out: TextIO | None = None):
        self.stdin, self.render, self.out = stdin or sys.stdin, render, out or sys.stdout

    def secrets(self) -> list:
        return []

    async def run(self, bot, serving: Serving) -> None:
        interactive = self.stdin.isatty()
        if interactive:
            _enable_history()
            self.out.write(f"helpbot for {bot.service}. Ask a question; /help for commands, /quit to leave.\n")
        lines = _read_lines(self.stdin, PROMPT if interactive else None)
        chatting = asyncio.create_task(chat_loop(bot, lines, self.render, self.out, serving))
        stopped = asyncio.create_task(serving.stopped())
        await asyncio.wait({chatting, stopped}, return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        if chatting.done():
            chatting.result()
        else:
            await serving.drain()  # Ctrl-C: let the answer being written finish
            chatting.cancel()
            if interactive:
                self.out.write("\n")
