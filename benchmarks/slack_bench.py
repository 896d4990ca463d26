"""Slack adapter benchmark: signed app_mention events sent over loopback HTTP to the real app,
started as in production (`helpbot serve slack --http`) in its own process.

This process plays Slack: it signs and sends the events, and serves a loopback fake Web API
that the app calls back (HELPBOT_SLACK_API_URL). For questions answered by logic (the knowledge
base's FAQ phrasings) it measures:
  * ack latency: event sent -> HTTP 200 (Slack wants it within 3 s; goal p99 <= 50 ms)
  * event-to-answer: event sent -> the fake Web API receives the chat.postMessage

Phases: "sequential" (one event at a time, each answered before the next) and "burst"
(`--concurrency` events in flight), where acks must stay fast while answers queue up.

    PYTHONPATH=. python benchmarks/slack_bench.py [-n 200] [--concurrency 20] [--knowledge DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from slack_sdk.signature import SignatureVerifier

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from machine import describe  # noqa: E402  (benchmarks/machine.py)

sys.path.insert(0, str(ROOT / "tests" / "slack"))
from fake_slack import FakeSlack  # noqa: E402  (tests/slack/fake_slack.py)
from bot.knowledge.loader import load_knowledge  # noqa: E402
from bot.paths import bundled_knowledge  # noqa: E402

SECRET = "bench-signing-secret"


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, -(-len(ordered) * p // 100) - 1))]


async def start_app(fake: FakeSlack, knowledge: str | None, home: str) -> tuple[asyncio.subprocess.Process, str]:
    """`helpbot serve slack --http 0` from this checkout; returns (process, events URL)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": SECRET,
           "HELPBOT_SLACK_API_URL": fake.api_url, "HELPBOT_HOME": os.environ.get("HELPBOT_HOME", home),
           "HELPBOT_OPS_PORT": "0", "HELPBOT_LOG_LEVEL": os.environ.get("HELPBOT_LOG_LEVEL", "WARNING")}
    args = ["-c", "from bot.cli import main; main()", "serve", "slack", "--http", "0", "--host", "127.0.0.1"]
    if knowledge:
        args += ["--knowledge", knowledge]
    proc = await asyncio.create_subprocess_exec(sys.executable, *args, env=env, stderr=asyncio.subprocess.PIPE)
    while True:
        line = (await asyncio.wait_for(proc.stderr.readline(), timeout=600)).decode()
        if not line:
            raise SystemExit(f"the app exited (code {await proc.wait()}) before serving")
        found = re.search(r"(http://127\.0\.0\.1:\d+/slack/events)", line)
        if found:
            asyncio.get_running_loop().create_task(_echo(proc.stderr))  # keep the pipe drained
            return proc, found.group(1)


async def _echo(stream: asyncio.StreamReader) -> None:
    while line := await stream.readline():
        sys.stderr.write("app: " + line.decode())


class Sender:
    def __init__(self, url: str, session: aiohttp.ClientSession, fake: FakeSlack):
        self.url, self.session, self.fake = url, session, fake
        self.n = 0

    async def mention(self, text: str) -> tuple[float, float, str]:
        """Send one signed app_mention; return (ack ms, answer ms, route)."""
        self.n += 1
        ts = f"1720000000.{self.n:06d}"
        body = json.dumps({
            "team_id": "T0HELP", "api_app_id": "A0HELP", "type": "event_callback", "event_id": f"EvB{self.n:07d}",
            "event_time": int(time.time()),
            "event": {"type": "app_mention", "user": "UBENCH", "text": f"<@UHELPBOT> {text}", "ts": ts, "channel": "CBENCH"},
        })
        stamp = str(int(time.time()))
        headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": stamp,
                   "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)}
        start = time.monotonic()
        async with self.session.post(self.url, data=body.encode(), headers=headers) as resp:
            await resp.read()
            assert resp.status == 200, resp.status
        acked = time.monotonic()

        def reply():
            return next((c for c in self.fake.calls_to("chat.postMessage", "chat.postEphemeral") if c.args.get("thread_ts") == ts), None)

        call = await self.fake.wait_for(reply, timeout=300)
        buttons = [e for b in call.args.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]
        route = json.loads(buttons[0]["value"])["route"] if buttons else "?"
        return (acked - start) * 1000, (call.at - start) * 1000, route


def row(phase: str, results: list[tuple[float, float, str]], seconds: float) -> str:
    acks = [a for a, _, _ in results]
    answers = [b for _, b, route in results if route == "answer"]
    return (f"| {phase} | {len(acks)} | {pct(acks, 50):.1f} | {pct(acks, 95):.1f} | {pct(acks, 99):.1f} | {max(acks):.1f} "
            f"| {len(answers)} | {pct(answers, 50):.0f} | {pct(answers, 95):.0f} | {pct(answers, 99):.0f} | {len(results) / seconds:.1f} |")


async def run(n: int, concurrency: int, knowledge: str | None, home: str) -> None:
    kb = load_knowledge(Path(knowledge) if knowledge else bundled_knowledge())
    questions = [c.questions[0] for c in kb.chunks if c.kind == "faq"]
    fake = await FakeSlack().start()
    t0 = time.monotonic()
    proc, url = await start_app(fake, knowledge, home)
    print(f"app serving in {time.monotonic() - t0:.1f}s ({kb.service}, {len(questions)} FAQ questions)", file=sys.stderr)
    lines = []
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:
            sender = Sender(url, session, fake)
            for q in questions[:5]:
                await sender.mention(q)  # warm-up: Bolt's auth.test, users.info, first embeddings
            start = time.monotonic()
            results = [await sender.mention(questions[i % len(questions)]) for i in range(n)]
            lines.append(row("sequential", results, time.monotonic() - start))

            gate = asyncio.Semaphore(concurrency)

            async def one(i: int):
                async with gate:
                    return await sender.mention(questions[i % len(questions)])

            start = time.monotonic()
            results = await asyncio.gather(*(one(i) for i in range(n)))
            lines.append(row(f"burst, {concurrency} in flight", results, time.monotonic() - start))
    finally:
        proc.send_signal(signal.SIGTERM)
        await proc.wait()
        await fake.close()
    print(f"\nSlack adapter over loopback HTTP (app in its own process); {describe('slack-bolt')}\n")
    print("| phase | events | ack p50 ms | ack p95 ms | ack p99 ms | ack max ms | logic answers | answer p50 ms | answer p95 ms | answer p99 ms | events/s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="events per phase")
    parser.add_argument("--concurrency", type=int, default=20, help="events in flight in the burst phase")
    parser.add_argument("--knowledge", default=None, help="knowledge folder (default: the bundled sample)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:  # index and audit log of the run (unless HELPBOT_HOME is set)
        asyncio.run(run(args.n, args.concurrency, args.knowledge, home))


if __name__ == "__main__":
    main()
