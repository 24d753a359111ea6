"""`make run` and `make run-prod`: dependencies checked, database ready, then every service in the foreground.

Development (`make run`): one Rasa server on RASA_PORT, the embedded SQLite
database unless INTAKE_DATABASE_URL names another.
Production (`make run-prod`, `--production`): PostgreSQL and Redis are
required; RASA_INSTANCES Rasa servers listen on loopback ports RASA_PORT+1 …
RASA_PORT+N behind nginx on RASA_PORT, and one that crashes is restarted while
the others keep serving. Several instances without `--production` get the same
proxy. Ctrl-C (or SIGTERM) stops everything.
"""
from __future__ import annotations

import argparse
import asyncio
import collections
import os
import secrets
import signal
import socket
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Deque, Dict, List, Mapping, Optional

from sqlalchemy.engine import make_url

from bot import proxy
from bot.catalog.seed import seed_if_empty
from bot.database import open_database
from bot.health import startup_problems
from bot.settings import PROJECT_ROOT, Settings, SettingsError

MODEL = PROJECT_ROOT / "models" / "intake.tar.gz"
PROXY_DIR = PROJECT_ROOT / "var" / "nginx"
READY_TIMEOUT_SECONDS = 240
REDIS_LOCK_STORE = "bot.lock_store.AtomicRedisLockStore"
# A restartable service that crashes this often within the window is given up on.
RESTART_LIMIT = 5
RESTART_WINDOW_SECONDS = 600


class StartError(RuntimeError):
    """Something that stops the services from starting, in one plain sentence."""


@dataclass(frozen=True)
class Service:
    name: str
    port: int
    argv: List[str]
    ready_path: str = "/"
    setting: str = ""  # the variable that chooses the port
    env: Mapping[str, str] = field(default_factory=dict)  # variables for this service only
    restartable: bool = False  # restarted after a crash while the others keep serving


def _bin(name: str) -> str:
    return str(Path(sys.executable).with_name(name))


def proxied(settings: Settings, production: bool = False) -> bool:
    """Whether nginx fronts the Rasa servers: always in production, and whenever there are several."""
    return production or settings.rasa_instances > 1


def rasa_ports(settings: Settings, production: bool = False) -> List[int]:
    """The ports the Rasa servers listen on."""
    if not proxied(settings, production):
        return [settings.rasa_port]
    return [settings.rasa_port + number for number in range(1, settings.rasa_instances + 1)]


def _rasa_argv(settings: Settings, model: Path, port: int, interface: str) -> List[str]:
    argv = [
        _bin("rasa"), "run", "--model", str(model), "--port", str(port), "--interface", interface,
        "--credentials", str(PROJECT_ROOT / "credentials.yml"),
        "--endpoints", str(PROJECT_ROOT / "endpoints.yml"),
        # One --cors with both origins: Rasa keeps only the last of repeated --cors flags.
        "--cors", f"http://localhost:{settings.web_port}", f"http://127.0.0.1:{settings.web_port}",
    ]
    if settings.rasa_auth_token:
        # The HTTP API (trackers, model, ...) is only ever on behind a token. One argument with "=":
        # a token starting with "-" (token_urlsafe makes one 1 time in 64) would otherwise read as a flag.
        argv += ["--enable-api", f"--auth-token={settings.rasa_auth_token}"]
    return argv


def services(settings: Settings, model: Path = MODEL, production: bool = False,
             proxy_dir: Path = PROXY_DIR) -> List[Service]:
    """The processes `make run` (or `make run-prod` with `production`) starts, in start order."""
    actions = Service(
        "actions", settings.actions_port,
        [sys.executable, "-m", "bot.action_server", "--actions", "actions", "--port", str(settings.actions_port)],
        "/health", "ACTIONS_PORT", {"SANIC_HOST": "127.0.0.1"},  # only Rasa calls it
    )
    if proxied(settings, production):
        rasa = [Service(f"rasa-{number}", port, _rasa_argv(settings, model, port, "127.0.0.1"), "/health",
                        "RASA_PORT", restartable=True)
                for number, port in enumerate(rasa_ports(settings, production), start=1)]
        rasa.append(Service("proxy", settings.rasa_port, proxy.argv(proxy_dir), "/health", "RASA_PORT",
                            restartable=True))
    else:
        rasa = [Service("rasa", settings.rasa_port, _rasa_argv(settings, model, settings.rasa_port, "0.0.0.0"),
                        "/health", "RASA_PORT")]
    return [
        actions,
        *rasa,
        Service("web", settings.web_port, [sys.executable, "-m", "bot.web", "--port", str(settings.web_port)],
                "/", "WEB_PORT"),
        # Only the console calls Rasa's HTTP API, so only it gets the token.
        Service("staff", settings.staff_port, [sys.executable, "-m", "bot.console", "--port", str(settings.staff_port)],
                "/health", "STAFF_PORT", {"RASA_AUTH_TOKEN": settings.rasa_auth_token or ""}),
    ]


def service_environment(settings: Settings) -> Dict[str, str]:
    """The variables every service gets: what endpoints.yml reads, and quiet libraries."""
    return {
        **os.environ,
        "INTAKE_DATABASE_URL": settings.database_url,
        "ACTIONS_PORT": str(settings.actions_port),
        "INTAKE_REDIS_URL": settings.redis_url or "",
        "INTAKE_LOCK_STORE": REDIS_LOCK_STORE if settings.redis_url else "in_memory",
        "TICKET_LOCK_LIFETIME": str(settings.lock_lifetime),
        "INTAKE_ORG_CONTACT": settings.org_contact or "",
        "RASA_TELEMETRY_ENABLED": "false",
        # Libraries' deprecation warnings would bury the services' own logs.
        "PYTHONWARNINGS": "ignore", "TF_CPP_MIN_LOG_LEVEL": "2", "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }


def with_auth_token(settings: Settings) -> Settings:
    """The settings with a Rasa API token: a random one when RASA_AUTH_TOKEN is not set (the console needs the API)."""
    return settings if settings.rasa_auth_token else replace(settings, rasa_auth_token=secrets.token_urlsafe(32))


def check_topology(settings: Settings, production: bool) -> None:
    """Production needs PostgreSQL; several Rasa servers need Redis for their locks."""
    if production and make_url(settings.database_url).get_backend_name() != "postgresql":
        raise StartError("The production profile keeps conversations in PostgreSQL: set "
                         "INTAKE_DATABASE_URL=postgresql://USER:PASSWORD@HOST:5432/DATABASE.")
    if proxied(settings, production) and not settings.redis_url:
        raise StartError("Several Rasa servers share conversations only with Redis locks: set "
                         "INTAKE_REDIS_URL=redis://HOST:6379/0.")


def check_dependencies(settings: Settings) -> None:
    """Fail with one sentence per unreachable database or Redis, naming it and its setting."""
    problems = startup_problems(settings.database_url, settings.redis_url)
    if problems:
        raise StartError("\n".join(problems))


def check_ports(wanted: List[Service]) -> None:
    """Fail with a clear sentence when a port is taken."""
    for service in wanted:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("0.0.0.0", service.port))
            except OSError:
                raise StartError(
                    f"Port {service.port} ({service.name}) is already in use: stop the program "
                    f"using it or choose another port with {service.setting}=..."
                ) from None


def check_model(model: Path = MODEL) -> None:
    if not model.is_file():
        raise StartError(f"No trained model at {model.relative_to(PROJECT_ROOT)}: run 'make train' first.")


def prepare_proxy(settings: Settings, production: bool, runtime_dir: Path = PROXY_DIR) -> None:
    """Render and check nginx's configuration for this deployment."""
    tls = proxy.Tls(settings.tls_certificate, settings.tls_key) if settings.tls_certificate else None
    config = proxy.render(settings.rasa_port, rasa_ports(settings, production), settings.lock_lifetime,
                          runtime_dir, tls)
    proxy.write_config(runtime_dir, config)


async def _relay(name: str, stream: asyncio.StreamReader) -> None:
    """Copy a child's output line by line with its name in front."""
    width = 8
    while True:
        line = await stream.readline()
        if not line:
            return
        sys.stdout.write(f"{name:<{width}}| {line.decode('utf-8', 'replace').rstrip()}\n")
        sys.stdout.flush()


async def wait_ready(port: int, path: str, process: asyncio.subprocess.Process) -> bool:
    """True once GET `path` on `port` answers 200; False if the process exits or time runs out."""
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


class Processes:
    """Running services, each in its own process group; output relayed with its name, or into `log_dir`."""

    def __init__(self, env: Mapping[str, str], log_dir: Optional[Path] = None) -> None:
        self.env = env
        self.log_dir = log_dir
        self.running: Dict[str, asyncio.subprocess.Process] = {}
        self.relays: List[asyncio.Task] = []

    async def start(self, service: Service, cwd: Path = PROJECT_ROOT) -> asyncio.subprocess.Process:
        log = (self.log_dir / f"{service.name}.log").open("ab") if self.log_dir else None
        try:
            process = await asyncio.create_subprocess_exec(
                *service.argv, cwd=cwd, start_new_session=True, env={**self.env, **service.env},
                stdout=log or asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            )
        finally:
            if log:
                log.close()  # the child has its own copy
        self.running[service.name] = process
        if process.stdout is not None:
            self.relays.append(asyncio.create_task(_relay(service.name, process.stdout)))
        return process

    async def stop(self) -> None:
        for process in self.running.values():
            if process.returncode is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.running.values():
            try:
                await asyncio.wait_for(process.wait(), timeout=15)
            except asyncio.TimeoutError:
                os.killpg(process.pid, signal.SIGKILL)
                await process.wait()
        for relay in self.relays:
            relay.cancel()


def _may_restart(history: Deque[float]) -> bool:
    """Record a restart; False when there were too many lately."""
    now = time.monotonic()
    while history and now - history[0] > RESTART_WINDOW_SECONDS:
        history.popleft()
    history.append(now)
    return len(history) <= RESTART_LIMIT


async def _next_exit(processes: Processes, stop: asyncio.Event) -> Optional[str]:
    """The name of the first child to exit, or None when asked to stop."""
    exits = {asyncio.create_task(process.wait()): name for name, process in processes.running.items()}
    stopper = asyncio.create_task(stop.wait())
    done, pending = await asyncio.wait([*exits, stopper], return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    if stopper in done:
        return None
    return next(exits[task] for task in done if task in exits)


def _banner(settings: Settings, wanted: List[Service]) -> str:
    instances = sum(service.name.startswith("rasa-") for service in wanted)
    behind = f"  (nginx in front of {instances} Rasa servers)" if instances else ""
    return (
        "\nThe intake assistant is running:\n"
        f"  chat page       http://localhost:{settings.web_port}\n"
        f"  Rasa server     http://localhost:{settings.rasa_port}  (REST: /webhooks/rest/webhook){behind}\n"
        f"  action server   http://127.0.0.1:{settings.actions_port}\n"
        f"  staff console   http://localhost:{settings.staff_port}\n"
        "Press Ctrl-C to stop everything.\n"
    )


async def run_services(settings: Settings, wanted: List[Service]) -> int:
    """Start `wanted`, wait until each answers, then supervise them until a signal or a fatal crash."""
    check_ports(wanted)
    processes = Processes(service_environment(settings))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        for service in wanted:
            await processes.start(service)
        for service in wanted:
            if not await wait_ready(service.port, service.ready_path, processes.running[service.name]):
                print(f"\nThe {service.name} service did not start; its log is above.", file=sys.stderr)
                return 1
        print(_banner(settings, wanted), flush=True)
        by_name = {service.name: service for service in wanted}
        restarts: Dict[str, Deque[float]] = collections.defaultdict(collections.deque)
        while True:
            crashed = await _next_exit(processes, stop)
            if crashed is None:
                print("\nStopping…", flush=True)
                return 0
            service = by_name[crashed]
            if not (service.restartable and _may_restart(restarts[crashed])):
                print(f"\nThe {crashed} service stopped unexpectedly; stopping the others.", file=sys.stderr)
                return 1
            print(f"\nThe {crashed} service stopped unexpectedly; restarting it while the others keep serving.",
                  file=sys.stderr, flush=True)
            await processes.start(service)
    finally:
        await processes.stop()


def prepare_database(settings: Settings) -> None:
    """Create or upgrade the schema and load the seed catalog on first start."""
    counts = seed_if_empty(open_database(settings.database_url).sessions)
    if counts.created:
        print(f"Created the database and loaded {counts.created} groups from the seed catalog.")


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.runner", description="Start every service of the assistant.")
    parser.add_argument("--production", action="store_true",
                        help="PostgreSQL, Redis locks and RASA_INSTANCES Rasa servers behind nginx")
    args = parser.parse_args(argv)
    try:
        settings = with_auth_token(Settings.from_env())
        check_model()
        check_topology(settings, args.production)
        check_dependencies(settings)
        prepare_database(settings)
        wanted = services(settings, production=args.production)
        if proxied(settings, args.production):
            prepare_proxy(settings, args.production)
        return asyncio.run(run_services(settings, wanted))
    except (StartError, SettingsError, proxy.ProxyError) as error:
        print(error, file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
