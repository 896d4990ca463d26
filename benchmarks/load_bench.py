"""Load and failure: two `helpbot serve slack --http` replicas (real processes) on loopback sharing
one throwaway PostgreSQL (tests/pg_support.py, fsync on), fed signed events the way Slack delivers
them: each event twice (the second as a retry, `X-Slack-Retry-Num: 1`), to different replicas.

This process plays Slack (it signs and sends the events and serves the fake Web API the replicas
answer through, tests/slack/fake_slack.py) and spreads the deliveries itself (no load balancer).
Phases:
  1. one replica: every event delivered twice to it;
  2. two replicas: the two deliveries of each event go to different replicas;
  3. two replicas at a steady rate, the retry 0.5 s after the first delivery, one replica SIGKILLed
     when half the events were sent, right after it acknowledged an event (before answering it): deliveries to the dead one fail (the other delivery reaches
     the survivor), and what the dead replica had acknowledged but not answered (the survivor
     dropped the retry: the claim was held) is taken over by the survivor once its heartbeat stopped.
Each phase reports: events answered exactly once / twice or more / never, ack p50/p99 over the
deliveries that got an answer, and messages per second (events / first send to last answer).
Goal: every event answered exactly once, none lost, ack p99 <= 50 ms.

    nice -n 5 python benchmarks/load_bench.py [-n 300] [--concurrency 16] [--knowledge DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
from slack_sdk.signature import SignatureVerifier

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests" / "slack"))
from machine import describe  # noqa: E402  (benchmarks/machine.py)
from fake_slack import FakeSlack  # noqa: E402  (tests/slack/fake_slack.py)
from tests.pg_support import NO_SERVER, PgServer, server_bin  # noqa: E402
from bot.knowledge.loader import load_knowledge  # noqa: E402
from bot.paths import bundled_knowledge  # noqa: E402

SECRET = "load-bench-signing-secret"
ANSWERS = ("chat.postMessage", "chat.postEphemeral")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, -(-len(ordered) * p // 100) - 1))] if ordered else float("nan")


class Replica:
    def __init__(self, name: str, home: Path, env: dict[str, str]):
        self.name, self.home, self.env = name, home, env
        self.proc: asyncio.subprocess.Process | None = None
        self.url = ""
        self.took_over = 0  # events of a dead replica this one answered (its log says so)
        self.warnings: dict[str, int] = {}  # WARNING lines about the database, by message

    async def start(self, knowledge: str) -> None:
        env = {**os.environ, **self.env, "HELPBOT_HOME": str(self.home), "PYTHONPATH": str(ROOT)}
        args = ["-c", "from bot.cli import main; main()", "serve", "slack", "--http", "0", "--host", "127.0.0.1",
                "--knowledge", knowledge]
        self.proc = await asyncio.create_subprocess_exec(sys.executable, *args, env=env, stderr=asyncio.subprocess.STDOUT,
                                                         stdout=asyncio.subprocess.PIPE)
        while True:
            line = (await asyncio.wait_for(self.proc.stdout.readline(), timeout=900)).decode()
            if not line:
                raise SystemExit(f"replica {self.name} exited (code {await self.proc.wait()}) before serving")
            if "Traceback" in line or "Error" in line:
                sys.stderr.write(f"{self.name}: {line}")
            found = re.search(r"(http://127\.0\.0\.1:\d+/slack/events)", line)
            if found:
                self.url = found.group(1)
                asyncio.get_running_loop().create_task(self._drain())
                return

    async def stop(self) -> None:
        if self.proc and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            await self.proc.wait()

    async def _drain(self) -> None:
        while line := await self.proc.stdout.readline():
            if b"a replica which stopped had acknowledged" in line:
                self.took_over += 1
            elif b'"level": "WARNING"' in line and (b"unavailable" in line or b"memory only" in line):
                msg = json.loads(line).get("msg", "")[:80]
                self.warnings[msg] = self.warnings.get(msg, 0) + 1
            elif b'"level": "ERROR"' in line:
                sys.stderr.write(f"{self.name}: {line.decode()}")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)




class Slack:
    """Sends signed events; records each delivery's ack time and status."""

    def __init__(self, session: aiohttp.ClientSession, fake: FakeSlack, concurrency: int):
        self.session, self.fake = session, fake
        self.gate = asyncio.Semaphore(concurrency)
        self.acks: list[float] = []
        self.failed_deliveries = 0

    async def deliver(self, url: str, body: str, retry: int, after: float = 0.0) -> None:
        if after:
            await asyncio.sleep(after)
        stamp = str(int(time.time()))
        headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": stamp,
                   "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)}
        if retry:
            headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
        async with self.gate:
            start = time.monotonic()
            try:
                async with self.session.post(url, data=body.encode(), headers=headers) as resp:
                    await resp.read()
                    ok = resp.status == 200
            except aiohttp.ClientError:  # a killed replica: Slack sees a failed delivery
                ok = False
            if ok:
                self.acks.append((time.monotonic() - start) * 1000)
            else:
                self.failed_deliveries += 1


def event_body(tag: str, i: int, question: str) -> tuple[str, tuple[str, str]]:
    channel, ts = f"C{tag}{i % 31}", f"1720000000.{i:06d}"
    body = json.dumps({
        "token": "t", "team_id": "T0HELP", "api_app_id": "A0HELP", "type": "event_callback",
        "event_id": f"EvL{tag}{i:05d}", "event_time": int(time.time()),
        "authorizations": [{"team_id": "T0HELP", "user_id": "UHELPBOT", "is_bot": True}],
        "event": {"type": "app_mention", "user": f"U{tag}{i % 97}", "text": f"<@UHELPBOT> {question}", "ts": ts,
                  "channel": channel, "event_ts": ts},
    })
    return body, (channel, ts)


def answers_per_event(fake: FakeSlack, keys: list[tuple[str, str]]) -> dict[tuple[str, str], int]:
    counts = dict.fromkeys(keys, 0)
    for call in fake.calls_to(*ANSWERS):
        key = (call.args.get("channel"), call.args.get("thread_ts"))
        if key in counts:
            counts[key] += 1
    return counts


async def phase(name: str, tag: str, slack: Slack, replicas: list[Replica], questions: list[str], n: int,
                kill: Replica | None = None, rate: float = 0.0, retry_after: float = 0.0, wait_s: float = 120.0) -> dict:
    """`rate`: events per second (0 = as fast as the deliveries in flight allow); `retry_after`:
    seconds between an event's two deliveries."""
    slack.acks, slack.failed_deliveries = [], 0
    keys, sends = [], []
    start = time.monotonic()
    for i in range(n):
        body, key = event_body(tag, i, questions[i % len(questions)])
        keys.append(key)
        first, second = replicas[i % len(replicas)], replicas[(i + 1) % len(replicas)]
        if kill is not None and i == n // 2:
            # the worst moment: the replica has just acknowledged an event (Slack will not send it
            # again on its own) and dies before answering it
            first, second = kill, next(r for r in replicas if r is not kill)
            await slack.deliver(first.url, body, 0)
            kill.kill()
            killed_at = time.monotonic()
        else:
            sends.append(asyncio.create_task(slack.deliver(first.url, body, 0)))
        sends.append(asyncio.create_task(slack.deliver(second.url, body, 1, retry_after)))
        await asyncio.sleep(1 / rate if rate else 0)
    await asyncio.gather(*sends)
    deadline = time.monotonic() + wait_s
    while min(answers_per_event(slack.fake, keys).values()) == 0 and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)  # a second answer would arrive by now
    counts = answers_per_event(slack.fake, keys)
    last = max((c.at for c in slack.fake.calls_to(*ANSWERS) if (c.args.get("channel"), c.args.get("thread_ts")) in counts),
               default=start)
    result = {
        "phase": name, "events": n, "once": sum(1 for v in counts.values() if v == 1),
        "twice+": sum(1 for v in counts.values() if v > 1), "lost": sum(1 for v in counts.values() if v == 0),
        "deliveries": 2 * n, "failed deliveries": slack.failed_deliveries,
        "ack p50": pct(slack.acks, 50), "ack p99": pct(slack.acks, 99), "ack max": max(slack.acks or [float("nan")]),
        "msgs/s": n / max(1e-9, last - start), "seconds": last - start,
    }
    if kill is not None:
        result["recovered after kill s"] = last - killed_at
        result["taken over"] = sum(r.took_over for r in replicas if r is not kill)
    return result


async def run(n: int, concurrency: int, knowledge: str, workdir: Path, rate: float) -> list[dict]:
    found = server_bin()
    if found is None:
        raise SystemExit(NO_SERVER)
    pg = PgServer(found)
    pg.start(fsync=True)
    fake = await FakeSlack().start()
    replicas: list[Replica] = []
    try:
        url = pg.create_database("load")
        env = {"SLACK_BOT_TOKEN": "xoxb-load", "SLACK_SIGNING_SECRET": SECRET, "HELPBOT_SLACK_API_URL": fake.api_url,
               "HELPBOT_DATABASE_URL": url, "HELPBOT_OPS_PORT": "0", "HELPBOT_LOG_LEVEL": "WARNING", "HF_HUB_OFFLINE": "1"}
        questions = [q for c in load_knowledge(Path(knowledge)).chunks if c.kind == "faq" for q in c.questions]
        a = Replica("a", workdir / "a", env)
        t0 = time.monotonic()
        await a.start(knowledge)
        print(f"replica a serving in {time.monotonic() - t0:.1f}s", file=sys.stderr)
        shutil.copytree(workdir / "a", workdir / "b")  # the built index: b need not embed everything again
        b = Replica("b", workdir / "b", env)
        replicas = [a, b]
        results = []
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=4 * concurrency)) as session:
            slack = Slack(session, fake, concurrency)
            await phase("warm-up", "WA", slack, [a], questions, 20)
            results.append(await phase("one replica", "ONE", slack, [a], questions, n))
            await b.start(knowledge)
            await phase("warm-up", "WB", slack, [b], questions, 20)
            results.append(await phase("two replicas", "TWO", slack, [a, b], questions, n))
            results.append(await phase(f"two replicas, {rate:g} events/s, b SIGKILLed mid-run", "KILL", slack, [a, b],
                                       questions, n, kill=b, rate=rate, retry_after=0.5))
        results.append({"warnings": {f"{r.name}: {k}": v for r in replicas for k, v in r.warnings.items()}})
        stats = subprocess.run([sys.executable, "-c", "from bot.cli import main; main()", "stats", "--json", "--days", "1",
                                "--no-gaps"], env={**os.environ, **env, "HELPBOT_HOME": str(workdir / "a"),
                                                   "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=300)
        if stats.returncode == 0:
            total = json.loads(stats.stdout)["total"]
            print(f"`helpbot stats --json` on replica a's settings: {total} messages in the shared audit log "
                  f"(warm-up included)", file=sys.stderr)
            results.append({"audit total": total})
        return results
    finally:
        for replica in replicas:
            await replica.stop()
        await fake.close()
        pg.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=300, help="events per phase")
    parser.add_argument("--concurrency", type=int, default=16, help="deliveries in flight")
    parser.add_argument("--rate", type=float, default=15.0, help="events per second in the kill phase")
    parser.add_argument("--knowledge", default=str(bundled_knowledge()), help="knowledge folder (default: the sample)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="helpbot-load-") as workdir:
        results = asyncio.run(run(args.n, args.concurrency, args.knowledge, Path(workdir), args.rate))
    print(f"\nLoad and failure, two replicas on one PostgreSQL (loopback); {describe('slack-bolt', 'psycopg')}\n")
    print("| phase | events | answered once | twice or more | never | failed deliveries | ack p50 ms | ack p99 ms "
          "| ack max ms | messages/s |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in results:
        if "phase" not in r:
            continue
        print(f"| {r['phase']} | {r['events']} | {r['once']} | {r['twice+']} | {r['lost']} | {r['failed deliveries']} "
              f"| {r['ack p50']:.1f} | {r['ack p99']:.1f} | {r['ack max']:.1f} | {r['msgs/s']:.1f} |")
        if "recovered after kill s" in r:
            print(f"\n(kill phase: {r['taken over']} events acknowledged by the killed replica were taken over by the "
                  f"survivor; last answer {r['recovered after kill s']:.1f} s after the SIGKILL)")
    for r in results:
        if "warnings" in r:
            print(f"\ndatabase warnings in the replicas' logs: {r['warnings'] or 'none'}")
    for r in results:
        if "audit total" in r:
            print(f"\nhelpbot stats --json: {r['audit total']} messages in the one audit log")


if __name__ == "__main__":
    main()
