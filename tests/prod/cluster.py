"""The production topology on loopback: the action server, several Rasa servers and nginx, on real
PostgreSQL and Redis, started from the same definitions as `make run-prod`, each one stoppable for drills."""
from __future__ import annotations

import json
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Tuple

from bot.runner import prepare_database, prepare_proxy, service_environment, services, with_auth_token
from bot.runner import Service
from bot.settings import PROJECT_ROOT, Settings
from tests.integration.servers import free_port

START_TIMEOUT_SECONDS = 480
TOPOLOGY = ("actions", "rasa-1", "rasa-2", "proxy")


def free_ports_in_a_row(count: int) -> int:
    """A port P such that P … P+count-1 are all free (the Rasa servers use RASA_PORT+1 … RASA_PORT+N)."""
    for _ in range(50):
        first = free_port()
        probes = []
        try:
            for port in range(first, first + count):
                probe = socket.socket()
                probes.append(probe)
                probe.bind(("127.0.0.1", port))
            return first
        except OSError:
            continue
        finally:
            for probe in probes:
                probe.close()
    raise RuntimeError(f"no {count} free ports in a row")


@dataclass
class Cluster:
    settings: Settings
    workdir: Path
    services: Dict[str, Service]
    env: Dict[str, str]
    processes: Dict[str, subprocess.Popen] = field(default_factory=dict)

    def url(self, name: str, path: str = "") -> str:
        return f"http://127.0.0.1:{self.services[name].port}{path}"

    def log_path(self, name: str) -> Path:
        return self.workdir / f"{name}.log"

    def log(self, name: str) -> str:
        return self.log_path(name).read_text(errors="replace")

    def start(self, *names: str) -> None:
        """Start the named services (appending to their logs) and wait until each answers its ready path."""
        for name in names:
            service = self.services[name]
            self.processes[name] = subprocess.Popen(
                service.argv, cwd=PROJECT_ROOT, env={**self.env, **service.env},
                stdout=self.log_path(name).open("a"), stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        for name in names:
            while self.get(name, self.services[name].ready_path)[0] != 200:
                if self.processes[name].poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not start:\n{self.log(name)[-3000:]}")
                time.sleep(0.5)

    def kill(self, name: str, signum: int = signal.SIGKILL) -> None:
        """Send `signum` and wait until the process is gone."""
        process = self.processes.pop(name)
        process.send_signal(signum)
        process.wait(timeout=30)

    def get(self, name: str, path: str) -> Tuple[int, dict]:
        """GET a path of a service: the status (0 when unreachable) and the JSON body if any."""
        try:
            with urllib.request.urlopen(self.url(name, path), timeout=10) as response:
                return response.status, _json(response.read())
        except urllib.error.HTTPError as error:
            return error.code, _json(error.read())
        except OSError:
            return 0, {}

    def say(self, name: str, sender: str, text: str, timeout: float = 60) -> List[dict]:
        """Send one message through the REST channel of a Rasa server (or the proxy); the replies."""
        body = json.dumps({"sender": sender, "message": text}).encode()
        request = urllib.request.Request(self.url(name, "/webhooks/rest/webhook"), data=body,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())

    def tracker(self, name: str, sender: str) -> dict:
        """The conversation as one Rasa server reads it from the shared tracker store (HTTP API)."""
        status, body = self.get(name, f"/conversations/{sender}/tracker?token={self.settings.rasa_auth_token}")
        assert status == 200, f"tracker request to {name} answered {status}"
        return body

    def shutdown(self) -> None:
        for name in list(self.processes):
            process = self.processes.pop(name)
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _json(raw: bytes) -> dict:
    try:
        return json.loads(raw)
    except ValueError:
        return {}


def start_cluster(workdir: Path, database_url: str, redis_url: str) -> Cluster:
    """Two Rasa servers behind nginx, sharing PostgreSQL and Redis, as `make run-prod` configures them."""
    rasa_port = free_ports_in_a_row(3)
    settings = with_auth_token(Settings.from_env({
        "RASA_PORT": str(rasa_port), "ACTIONS_PORT": str(free_port()), "WEB_PORT": str(free_port()),
        "STAFF_PORT": str(free_port()), "INTAKE_DATABASE_URL": database_url, "INTAKE_REDIS_URL": redis_url,
        "RASA_INSTANCES": "2", "INTAKE_ORG_CONTACT": "0800 000 000 (weekdays 9 to 5)",
    }))
    prepare_database(settings)
    proxy_dir = workdir / "nginx"
    prepare_proxy(settings, production=True, runtime_dir=proxy_dir)
    wanted = {s.name: s for s in services(settings, production=True, proxy_dir=proxy_dir) if s.name in TOPOLOGY}
    cluster = Cluster(settings, workdir, wanted, service_environment(settings))
    try:
        cluster.start(*TOPOLOGY)
    except Exception:
        cluster.shutdown()
        raise
    return cluster
