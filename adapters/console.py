"""The console adapter: `helpbot chat`, interactive (with history) or piped, one message per line."""

from __future__ import annotations

import asyncio
import sys
from typing import Callable, TextIO

from bot.ops.admin import run_admin
from bot.messages import Message, Reply

COMMANDS = {
    "/help": "show this list",
    "/quit": "leave the chat",
    "/reload": "reload the knowledge folder (/reload --dry-run shows the changes only)",
}


def _enable_history() -> None:
    try:
        import readline  # noqa: F401  (line editing and up-arrow history)
    except ImportError:
        pass


async def chat_loop(bot, lines, render: Callable[[Reply], str], out: TextIO) -> None:
    conversation = "console:session"
    for raw in lines:
        line = raw.rstrip("\n")
        if line.strip().startswith("/"):
            command = line.strip().split()[0].lower()
            if command in ("/quit", "/exit"):
                return
            if command == "/help":
                out.write("\n".join(f"{c:<8} {d}" for c, d in COMMANDS.items()) + "\n")
            elif command == "/reload":
                result = await run_admin(bot, "reload", line.split()[1:], who="console")
                out.write(result.text + "\n")
            else:
                out.write(f"unknown command {command}; /help lists commands\n")
            out.flush()
            continue
        if not line.strip():
            continue
        reply = await bot.handle(Message(line, platform="console", user_id="console", channel_id="console", conversation_id=conversation, is_admin=True))
        out.write(render(reply) + "\n\n")
        out.flush()


def _interactive_lines(prompt: str):
    while True:
        try:
            yield input(prompt)
        except EOFError:
            return


def run_console(bot, stdin: TextIO, render: Callable[[Reply], str], out: TextIO | None = None) -> None:
    out = out or sys.stdout  # looked up per call: a default bound at import would keep a stale stream
    if stdin.isatty():
        _enable_history()
        out.write(f"helpbot for {bot.service}. Ask a question; /help for commands, /quit to leave.\n")
        lines = _interactive_lines("> ")
    else:
        lines = iter(stdin)
    try:
        asyncio.run(chat_loop(bot, lines, render, out))
    except KeyboardInterrupt:
        out.write("\n")
