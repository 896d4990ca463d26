"""A throwaway PostgreSQL server for tests and benchmarks: initdb + pg_ctl in a temporary folder,
on a free loopback port. As root (CI) the server runs as the `postgres` user (or `nobody`), since
PostgreSQL refuses to run as root."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

NO_SERVER = ("no PostgreSQL server binaries (initdb, pg_ctl) found: install Debian's `postgresql` package "
             "(apt-get install -y postgresql; .ci/run does) to run the PostgreSQL tests")


def server_bin() -> Path | None:
    """The folder with initdb and pg_ctl: $PG_BIN, /usr/lib/postgresql/<newest>/bin, or PATH."""
    candidates = [os.environ.get("PG_BIN", "")]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]), reverse=True)
    which = shutil.which("initdb")
    candidates.append(str(Path(which).parent) if which else "")
    for folder in filter(None, candidates):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_as() -> str | None:
    """The user to run the server as when we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError("running as root and neither a `postgres` nor a `nobody` user exists to run PostgreSQL")


class PgServer:
    """`start()` -> URL of the `postgres` database; `stop()`, `start()` again (an outage), `close()`."""

    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        self.user = _run_as()
        self.dir = Path(tempfile.mkdtemp(prefix="helpbot-pg-"))
        self.data = self.dir / "data"
        self.port = _free_port()
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
        self._cmd("initdb", "-D", str(self.data), "-U", "helpbot", "--auth=trust", "-E", "UTF8", "--no-locale")

    def _cmd(self, tool: str, *args: str) -> None:
        argv = [str(self.bin / tool), *args]
        if self.user:
            argv = ["runuser", "-u", self.user, "--", *argv]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = (self.dir / "server.log")
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stderr.strip()[-2000:]}\n{tail}")

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://helpbot:secret-pw@127.0.0.1:{self.port}/{dbname}"

    def start(self, fsync: bool = False) -> str:
        """fsync off for tests (a throwaway cluster); on for benchmarks."""
        options = (f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200"
                   + ("" if fsync else " -c fsync=off"))
        self._cmd("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.dir / "server.log"), "-w", "-t", "60", "start")
        return self.url()

    def stop(self, mode: str = "immediate") -> None:
        self._cmd("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'create database "{name}"')
        return self.url(name)

    def close(self) -> None:
        try:
            self.stop()
        except RuntimeError:
            pass  # already stopped
        shutil.rmtree(self.dir, ignore_errors=True)
