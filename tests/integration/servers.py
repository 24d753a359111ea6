"""Starts the real action server and Rasa server on free ports for a test session."""
from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional

from bot.runner import MODEL, service_environment, services, with_auth_token
from bot.settings import PROJECT_ROOT, Settings

START_TIMEOUT_SECONDS = 240


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except OSError:
        return 0


@dataclass
class RunningServers:
    settings: Settings
    processes: List[subprocess.Popen]
    logs: List[Path]

    @property
    def rest_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.rasa_port}/webhooks/rest/webhook"

    def say(self, sender: str, text: str, timeout: float = 60) -> List[dict]:
        """Send one message through the REST channel; the bot's replies."""
        body = json.dumps({"sender": sender, "message": text}).encode()
        request = urllib.request.Request(self.rest_url, data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())

    def log_text(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in self.logs)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def start_servers(workdir: Path, database_url: str, model: Path = MODEL,
                  extra_env: Optional[Dict[str, str]] = None) -> RunningServers:
    """Action server + Rasa server exactly as `make run` starts them (API on behind a token), on free ports;
    `extra_env` adds environment variables (e.g. a messaging platform's settings)."""
    if not model.is_file():
        raise RuntimeError("No trained model: run 'make train' (make test does it first).")
    settings = with_auth_token(Settings.from_env({
        "RASA_PORT": str(free_port()), "ACTIONS_PORT": str(free_port()),
        "WEB_PORT": str(free_port()), "INTAKE_DATABASE_URL": database_url,
    }))
    env = {**service_environment(settings), **(extra_env or {})}
    running = RunningServers(settings, [], [])
    wanted = [s for s in services(settings, model) if s.name in ("actions", "rasa")]
    for service in wanted:
        log = workdir / f"{service.name}.log"
        running.logs.append(log)
        running.processes.append(subprocess.Popen(
            service.argv, cwd=PROJECT_ROOT, env={**env, **service.env}, stdout=log.open("w"), stderr=subprocess.STDOUT,
        ))
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    for service, process in zip(wanted, running.processes):
        url = f"http://127.0.0.1:{service.port}{service.ready_path}"
        while get_status(url) != 200:
            if process.poll() is not None or time.monotonic() > deadline:
                running.stop()
                raise RuntimeError(f"{service.name} did not start:\n{running.log_text()[-3000:]}")
            time.sleep(1)
    return running
