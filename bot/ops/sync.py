"""Reload everywhere: replicas sharing a store (PostgreSQL) follow each other's reloads and
channel-mode changes.

A successful reload (not a dry run) on any replica writes a knowledge version row (the
`knowledge.version` setting: an id, the knowledge fingerprint, which replica, who asked). Every
replica polls it every `interval` seconds; a new id makes it reload from its own knowledge
folder and build its own index. Each replica reports what it serves in the `replicas` table (a
heartbeat with its knowledge fingerprint, the version it processed, and its last reload error);
the replica that ran the reload waits a little for the others and lists them in the reload result.
A replica that cannot build the new knowledge keeps serving the old one and says so in /readyz
(`knowledge.stale`) and in `helpbot_knowledge_in_sync`.
"""

from __future__ import annotations

import asyncio
import json
import logging
from concurrent.futures import ThreadPoolExecutor
import socket
import time
import uuid

from bot.core.store import REPLICA_ALIVE_S, StoreUnavailable, WarnEvery, ago_iso, now_iso
from bot.errors import HelpbotError

log = logging.getLogger("helpbot.ops.sync")

VERSION_KEY = "knowledge.version"
MODE_PREFIX = "guard.channel_mode:"
POLL_S = 2.0  # how often a replica looks for a new knowledge version and channel modes
ALIVE_S = REPLICA_ALIVE_S  # a replica not heard from for this long is taken to be gone (its claims too)
WAIT_S = 10.0  # how long the replica that ran a reload waits for the others to report


class KnowledgeSync:
    def __init__(self, bot, interval: float = POLL_S, wait_s: float = WAIT_S, alive_s: float = ALIVE_S):
        self.bot, self.store = bot, bot.audit.store
        self.interval, self.wait_s, self.alive_s = interval, wait_s, alive_s
        self.id = self.store.replica  # the name its event claims carry
        self.started = now_iso()
        self.version: str | None = None  # the id of the version this replica processed
        self.announced: dict = {}  # the last version row seen
        self.error: str | None = None  # why the last followed reload failed (serving the old knowledge)
        self._modes: dict[str, str] = {}  # channel modes applied from the store
        self._warn = WarnEvery(log)
        # Its own thread: a heartbeat never queues behind answers being computed (a replica whose
        # heartbeat lags 15 s looks dead, and its events may be taken over by another).
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="helpbot-sync")

    async def _call(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    # -- state --------------------------------------------------------------------------------
    def _read_version(self) -> dict:
        rows = self.store.fetch("select value from settings where key = ?", [VERSION_KEY])
        try:
            return json.loads(rows[0][0]) if rows else {}
        except (TypeError, ValueError):
            return {}

    def start(self) -> None:
        """At start: what is announced now is what this replica just built (from its own folder)."""
        try:
            self.announced = self._read_version()
            self.version = self.announced.get("id")
            self._modes = self._read_modes()
            self.heartbeat()
        except (StoreUnavailable, HelpbotError) as exc:
            self._unavailable(exc)

    @property
    def stale(self) -> bool:
        """True when another replica reloaded knowledge that this one does not serve."""
        kb = self.announced.get("kb")
        return bool(self.error) or (kb is not None and kb != self.bot.snapshot.kb.fingerprint)

    def status(self) -> dict:
        """What /readyz shows."""
        return {"replica": self.id, "stale": self.stale, "announced": self.announced.get("kb"),
                "reload_error": self.error}

    def heartbeat(self) -> None:
        self.store.write_returning(
            "insert into replicas (id, host, started, seen, kb, version, ok, error) values (?, ?, ?, ?, ?, ?, ?, ?) "
            "on conflict (id) do update set seen = excluded.seen, kb = excluded.kb, version = excluded.version, "
            "ok = excluded.ok, error = excluded.error",
            [self.id, socket.gethostname(), self.started, now_iso(), self.bot.snapshot.kb.fingerprint, self.version,
             0 if self.error else 1, self.error])
        self.bot.metrics.knowledge_in_sync.set(0 if self.stale else 1)

    def leave(self) -> None:
        try:
            self.store.write_returning("delete from replicas where id = ?", [self.id])
        except StoreUnavailable:
            pass

    def replicas(self) -> list[dict]:
        """Replicas heard from lately, this one included."""
        rows = self.store.fetch("select id, kb, version, ok, error, seen from replicas where seen >= ? order by id",
                                [ago_iso(self.alive_s)])
        keys = ("replica", "kb", "version", "ok", "error", "seen")
        return [dict(zip(keys, row)) for row in rows]

    # -- announcing (the replica that reloaded) and following (the others) ----------------------
    def announce(self, who: str) -> str:
        """Tell every replica to reload: a new version row. Returns its id."""
        version = {"id": uuid.uuid4().hex, "kb": self.bot.snapshot.kb.fingerprint, "by": self.id, "who": who, "ts": now_iso()}
        self.store.set_setting(VERSION_KEY, json.dumps(version))
        self.announced, self.version, self.error = version, version["id"], None
        self.heartbeat()
        return version["id"]

    async def after_reload(self, result) -> None:
        """Called with each finished reload on this replica: announce a successful one that this
        replica ran itself, then wait (up to `wait_s`) for the others and list them in `result`."""
        if result.dry_run or result.who.startswith("sync:"):
            return
        if not result.ok:
            return
        try:
            version = await self._call(self.announce, result.who)
        except (StoreUnavailable, HelpbotError) as exc:
            result.notes.append(f"warning: other replicas were not told to reload ({exc})")
            return
        result.replicas = [{**r, "state": replica_state(r, version)} for r in await self.wait_for(version)]

    async def wait_for(self, version: str) -> list[dict]:
        deadline = time.monotonic() + self.wait_s
        while True:
            try:
                replicas = await self._call(self.replicas)
            except (StoreUnavailable, HelpbotError):
                return []
            pending = [r for r in replicas if r["version"] != version]
            if not pending or time.monotonic() >= deadline:
                return replicas
            await asyncio.sleep(min(0.2, self.interval))

    async def poll(self) -> None:
        """One look: a new knowledge version (reload, then report it), changed channel modes."""
        from bot.ops.reload import reload_knowledge

        announced = await self._call(self._read_version)
        if announced.get("id") and announced["id"] != self.version:
            self.announced = announced
            result = await reload_knowledge(self.bot, who=f"sync:{announced.get('by', '?')}", wait=True)
            # reported (heartbeat) only now: the version with how building it went
            self.error = None if result.ok else "; ".join(result.errors)[:500]
            self.version = announced["id"]  # after the error: a heartbeat in between reports both or neither
            if result.ok:
                log.info("followed a knowledge reload from replica %s", announced.get("by"))
            else:
                log.warning("could not build the knowledge another replica reloaded; serving the old one: %s", self.error)
            await self._call(self.heartbeat)  # report it now
        await self._call(self._apply_modes)

    def _read_modes(self) -> dict[str, str]:
        rows = self.store.fetch("select key, value from settings where key like ?", [MODE_PREFIX + "%"])
        return {key[len(MODE_PREFIX):]: value for key, value in rows}

    def _apply_modes(self) -> None:
        """Channel modes an admin set on another replica reach this replica's live guard."""
        modes = self._read_modes()
        for channel in set(self._modes) | set(modes):
            if self._modes.get(channel) != modes.get(channel):
                self.bot.guard.set_channel_mode(channel, modes.get(channel))
        self._modes = modes

    def _unavailable(self, exc: Exception) -> None:
        self.bot.metrics.shared_state_fallbacks.inc(state="knowledge sync")
        self._warn.warning("knowledge sync paused: %s", exc)

    async def _beat(self) -> None:
        """The heartbeat, on its own: a long reload never makes this replica look dead."""
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self._call(self.heartbeat)
            except (StoreUnavailable, HelpbotError) as exc:
                self._unavailable(exc)

    async def run(self) -> None:
        """Heartbeat and poll until cancelled; an outage pauses following (the replica serves what it has)."""
        await self._call(self.start)
        beat = asyncio.create_task(self._beat())
        try:
            while True:
                await asyncio.sleep(self.interval)
                try:
                    await self.poll()
                except (StoreUnavailable, HelpbotError) as exc:
                    self._unavailable(exc)
                except Exception:  # noqa: BLE001 - the sync must never stop serving
                    log.exception("knowledge sync failed")
        finally:
            beat.cancel()
            await self._call(self.leave)


def replica_state(replica: dict, version: str) -> str:
    """serves | failed | pending: where a replica stands with knowledge version `version`."""
    if replica["version"] != version:
        return "pending"
    return "serves" if replica["ok"] else "failed"
