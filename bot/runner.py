"""`make run`: database ready, then every service in the foreground until Ctrl-C."""
from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List

from bot.catalog.seed import seed_if_empty
from bot.database import open_database
from bot.settings import PROJECT_ROOT, Settings, SettingsError

MODEL = PROJECT_ROOT / "models" / "intake.tar.gz"
READY_TIMEOUT_SECONDS = 240


class StartError(RuntimeError):
    """Something that stops the services from starting, in one plain sentence."""


@dataclass(frozen=True)
class Service:
    name: str
    port: int
    argv: List[str]
    ready_path: str = "/"


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def services(settings: Settings, model: Path = MODEL) -> List[Service]:
    """The processes `make run` starts, in start order."""
    rasa = [
        _bin("rasa"), "run", "--model", str(model), "--port", str(settings.rasa_port),
        "--credentials", str(PROJECT_ROOT / "credentials.yml"),
        "--endpoints", str(PROJECT_ROOT / "endpoints.yml"),
        "--cors", f"http://localhost:{settings.web_port}", "--cors", f"http://127.0.0.1:{settings.web_port}",
    ]
    if settings.rasa_auth_token:
        # The HTTP API (trackers, model, ...) is only ever on behind a token.
        rasa += ["--enable-api", "--auth-token", settings.rasa_auth_token]
    return [
        Service("actions", settings.actions_port,
                [_bin("rasa"), "run", "actions", "--actions", "actions", "--port", str(settings.actions_port)],
                "/health"),
        Service("rasa", settings.rasa_port, rasa),
        Service("web", settings.web_port, [sys.executable, "-m", "bot.web", "--port", str(settings.web_port)]),
        Service("staff", settings.staff_port, [sys.executable, "-m", "bot.console", "--port", str(settings.staff_port)],
                "/health"),
    ]


def check_ports(wanted: List[Service]) -> None:
    """Fail with a clear sentence when a port is taken."""
    for service in wanted:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("0.0.0.0", service.port))
            except OSError:
                variable = {"actions": "ACTIONS_PORT", "rasa": "RASA_PORT", "web": "WEB_PORT", "staff": "STAFF_PORT"}[service.name]
                raise StartError(
                    f"Port {service.port} ({service.name}) is already in use: stop the program "
                    f"using it or choose another port with {variable}=..."
                ) from None


def check_model(model: Path = MODEL) -> None:
    if not model.is_file():
        raise StartError(f"No trained model at {model.relative_to(PROJECT_ROOT)}: run 'make train' first.")


async def _relay(name: str, stream: asyncio.StreamReader) -> None:
    """Copy a child's output line by line with its name in front."""
    width = 8
    while True:
        line = await stream.readline()
        if not line:
            return
        sys.stdout.write(f"{name:<{width}}| {line.decode('utf-8', 'replace').rstrip()}\n")
        sys.stdout.flush()


async def _wait_ready(port: int, path: str, process: asyncio.subprocess.Process) -> bool:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + READY_TIMEOUT_SECONDS
    request = f"GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n".encode()
    while loop.time() < deadline and process.returncode is None:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(request)
            status = await reader.readline()
            writer.close()
            if b" 200 " in status:
                return True
        except OSError:
            pass
        await asyncio.sleep(1)
    return False


async def _stop(processes: Dict[str, asyncio.subprocess.Process]) -> None:
    for process in processes.values():
        if process.returncode is None:
            os.killpg(process.pid, signal.SIGTERM)
    for name, process in processes.items():
        try:
            await asyncio.wait_for(process.wait(), timeout=15)
        except asyncio.TimeoutError:
            os.killpg(process.pid, signal.SIGKILL)
            await process.wait()


async def run_services(settings: Settings) -> int:
    wanted = services(settings)
    check_ports(wanted)
    env = {**os.environ, "INTAKE_DATABASE_URL": settings.database_url,
           "ACTIONS_PORT": str(settings.actions_port), "RASA_TELEMETRY_ENABLED": "false",
           # Libraries' deprecation warnings would bury the services' own logs.
           "PYTHONWARNINGS": "ignore", "TF_CPP_MIN_LOG_LEVEL": "2", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}
    processes: Dict[str, asyncio.subprocess.Process] = {}
    relays = []
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        for service in wanted:
            process = await asyncio.create_subprocess_exec(
                *service.argv, cwd=PROJECT_ROOT, env=env, start_new_session=True,
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            )
            processes[service.name] = process
            relays.append(asyncio.create_task(_relay(service.name, process.stdout)))
        for service in wanted:
            if not await _wait_ready(service.port, service.ready_path, processes[service.name]):
                print(f"\nThe {service.name} service did not start; its log is above.", file=sys.stderr)
                return 1
        print(
            "\nThe intake assistant is running:\n"
            f"  chat page       http://localhost:{settings.web_port}\n"
            f"  Rasa server     http://localhost:{settings.rasa_port}  (REST: /webhooks/rest/webhook)\n"
            f"  action server   http://localhost:{settings.actions_port}\n"
            f"  staff console   http://localhost:{settings.staff_port}\n"
            "Press Ctrl-C to stop everything.\n",
            flush=True,
        )
        exits = [asyncio.create_task(p.wait()) for p in processes.values()]
        stopper = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait(exits + [stopper], return_when=asyncio.FIRST_COMPLETED)
        if stopper in done:
            print("\nStopping…", flush=True)
            return 0
        crashed = next(name for name, p in processes.items() if p.returncode is not None)
        print(f"\nThe {crashed} service stopped unexpectedly; stopping the others.", file=sys.stderr)
        return 1
    finally:
        await _stop(processes)
        for relay in relays:
            relay.cancel()


def prepare_database(settings: Settings) -> None:
    """Create or upgrade the schema and load the seed catalog on first start."""
    counts = seed_if_empty(open_database(settings.database_url).sessions)
    if counts.created:
        print(f"Created the database and loaded {counts.created} groups from the seed catalog.")


def main() -> int:
    try:
        settings = Settings.from_env()
        check_model()
        prepare_database(settings)
        return asyncio.run(run_services(settings))
    except (StartError, SettingsError) as error:
        print(error, file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
