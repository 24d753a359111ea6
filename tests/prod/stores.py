"""Real PostgreSQL and Redis servers on loopback for the production-profile tests.

PostgreSQL refuses to run as root: as root (CI), its commands run as the
unprivileged user INTAKE_TEST_PG_USER (default `postgres`; `.ci/run` creates it).
"""
from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import List, Optional

import psycopg2
import redis

from tests.integration.servers import free_port

DATABASE = "intake"
START_TIMEOUT_SECONDS = 60


class MissingServer(RuntimeError):
    """A server program these tests need is not installed."""


def _program(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))), None)
    if not found:
        raise MissingServer(f"{name} is not installed (.ci/run installs it)")
    return str(found)


class PostgresServer:
    """A throw-away PostgreSQL cluster in a temporary directory."""

    def __init__(self) -> None:
        self.port = free_port()
        self.user = self._os_user()
        self.directory = Path(tempfile.mkdtemp(prefix="intake-pg-"))
        self.data = self.directory / "data"
        if self.user:
            os.chown(self.directory, pwd.getpwnam(self.user).pw_uid, -1)
        self._run(_program("initdb"), "-D", str(self.data), "-U", "intake", "--auth=trust", "-E", "UTF8", "--no-sync")
        self.start()
        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user="intake", dbname="postgres")
        connection.autocommit = True
        connection.cursor().execute(f"CREATE DATABASE {DATABASE}")
        connection.close()

    @property
    def url(self) -> str:
        return f"postgresql://intake@127.0.0.1:{self.port}/{DATABASE}"

    @staticmethod
    def _os_user() -> Optional[str]:
        if os.geteuid() != 0:
            return None
        user = os.environ.get("INTAKE_TEST_PG_USER", "postgres")
        try:
            pwd.getpwnam(user)
        except KeyError:
            raise MissingServer(f"PostgreSQL cannot run as root and there is no user {user!r} (.ci/run creates it)")
        return user

    def _run(self, *argv: str) -> None:
        command: List[str] = ["runuser", "-u", self.user, "--", *argv] if self.user else list(argv)
        result = subprocess.run(command, cwd=self.directory, capture_output=True, text=True, timeout=START_TIMEOUT_SECONDS)
        if result.returncode:
            raise RuntimeError(f"{' '.join(argv[:2])} failed:\n{result.stdout}\n{result.stderr}")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        self._run(_program("pg_ctl"), "-D", str(self.data), "-l", str(self.directory / "server.log"),
                  "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop the server; mode `immediate` is a crash as far as clients can tell."""
        self._run(_program("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        except RuntimeError:
            pass  # already stopped
        shutil.rmtree(self.directory, ignore_errors=True)


class RedisServer:
    """A Redis server without persistence on a free loopback port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: Optional[subprocess.Popen] = None
        self.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [_program("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while True:
            try:
                redis.Redis(port=self.port, socket_connect_timeout=1).ping()
                return
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("redis-server did not start")
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
