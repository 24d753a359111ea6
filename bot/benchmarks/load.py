"""Load benchmark: many people at once, each holding a complete intake conversation over the REST channel.

The assistant runs as `make run` starts it (action server and Rasa server, on a
fresh seeded SQLite database); every simulated person sends their next message
as soon as the previous one is answered. The same load then goes to a bare bot
made by `rasa init --no-prompt` (trained once into a cache folder under var/,
never committed): its latency is the framework's floor on this machine.
"""
from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Awaitable, Callable, List, Optional, Sequence, TextIO, Tuple

import aiohttp
import rasa
import sqlalchemy as sa

from bot.benchmarks.matching import percentile
from bot.catalog.seed import seed_if_empty
from bot.database import Database
from bot.models import IntakeRecord
from bot.runner import MODEL, Processes, Service, service_environment, services, wait_ready
from bot.settings import PROJECT_ROOT, Settings
from bot.turn_status import TurnProblems, notice

DEFAULT_CONVERSATIONS = 50
BARE_BOT_CACHE = PROJECT_ROOT / "var" / "bench" / "bare-bot"
TURN_TIMEOUT_SECONDS = 120
SENDER_PREFIX = "bench-"
TARGET_P95_RATIO = 1.5
TARGET_RASA_PEAK_MB = 1536

# Greeting to hand-off, with questions along the way; buttons are sent as their payloads, as the widget does.
INTAKE_CONVERSATION = (
    "hi",
    "yes that's fine",
    "I've been drinking way too much lately",
    "what happens at a first session?",
    '/inform{"format": "online"}',
    '/inform{"day": "weekday"}',
    '/inform{"time_of_day": "evening"}',
    "can I just sit and listen?",
    '/inform{"leader": "peer"}',
    '/inform{"language": "en"}',
    '/inform{"accessibility": "wheelchair"}',
    "/affirm",
    "yes please, get in touch",
    "phone",
    "07700 900123",  # a number reserved for drama, never a real person's
)
# As many turns, in what the `rasa init` bot understands.
BARE_CONVERSATION = (
    "hello", "I am sad", "yes", "hi", "very good", "are you a bot?", "hey", "I am feeling very bad", "no",
    "good morning", "perfect", "am I talking to a human?", "hello there", "my day was horrible", "bye",
)
# What the assistant says when a part of it failed: under load, an error like any other.
FAILURE_NOTICES = frozenset({notice(TurnProblems(failed_actions=["any"]), None),
                             notice(TurnProblems(not_saved=True), None)})


@dataclass(frozen=True)
class LoadFigures:
    """One bot under one load; latencies in ms, memory in MB."""

    label: str
    conversations: int
    turns: int
    errors: int
    error_kinds: str  # e.g. "timeout: 3, HTTP 500: 1"
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    rasa_peak_mb: Optional[float] = None  # None for a deployment started elsewhere
    actions_peak_mb: Optional[float] = None
    completed: Optional[int] = None  # conversations that reached the hand-off (an intake record)

    @property
    def throughput(self) -> float:
        return self.turns / self.seconds if self.seconds else 0.0


class Progress:
    """A one-line progress bar on stderr, redrawn at most five times a second."""

    def __init__(self, label: str, total: int, stream: TextIO = sys.stderr, width: int = 30) -> None:
        self.label, self.total, self.stream, self.width = label, total, stream, width
        self.done = self.errors = 0
        self.started = time.monotonic()
        self._drawn = 0.0

    def tick(self, ok: bool) -> None:
        self.done += 1
        self.errors += not ok
        if self.done == self.total or time.monotonic() - self._drawn > 0.2:
            self._draw()

    def _draw(self) -> None:
        self._drawn = time.monotonic()
        filled = self.width * self.done // max(self.total, 1)
        self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {self.done}/{self.total} "
                          f"turns, {self.errors} errors, {self._drawn - self.started:.0f} s")
        if self.done == self.total:
            self.stream.write("\n")
        self.stream.flush()


async def _turn(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> Optional[str]:
    """Send one message; None when the assistant answered it properly, else what went wrong."""
    try:
        async with session.post(url, json={"sender": sender, "message": text}) as response:
            replies = await response.json()
    except asyncio.TimeoutError:
        return "timeout"
    except (aiohttp.ClientError, ValueError) as error:
        return type(error).__name__
    if response.status != 200:
        return f"HTTP {response.status}"
    if not isinstance(replies, list) or not replies:
        return "no reply"
    if any(reply.get("text") in FAILURE_NOTICES for reply in replies):
        return "failure notice"
    return None


async def drive(url: str, senders: Sequence[str], script: Sequence[str],
                progress: Optional[Progress] = None) -> Tuple[List[float], Counter]:
    """Every sender holds the scripted conversation at the same time; the answered turns' latencies
    in ms, and the failed turns counted by what went wrong."""
    latencies: List[float] = []
    errors: Counter = Counter()
    timeout = aiohttp.ClientTimeout(total=TURN_TIMEOUT_SECONDS)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        async def converse(sender: str) -> None:
            for text in script:
                started = time.perf_counter()
                error = await _turn(session, url, sender, text)
                if error:
                    errors[error] += 1
                else:
                    latencies.append((time.perf_counter() - started) * 1000)
                if progress:
                    progress.tick(error is None)

        await asyncio.gather(*(converse(sender) for sender in senders))
    return latencies, errors


def peak_memory_mb(pid: int) -> float:
    """The process's peak resident memory (VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")


async def measure(label: str, url: str, conversations: int, script: Sequence[str],
                  rasa_pid: Optional[int] = None, actions_pid: Optional[int] = None) -> LoadFigures:
    """One warm-up conversation, then `conversations` at once; the figures."""
    await drive(url, [f"{SENDER_PREFIX}warmup-{uuid.uuid4().hex}"], script)
    senders = [f"{SENDER_PREFIX}{uuid.uuid4().hex}" for _ in range(conversations)]
    progress = Progress(label, conversations * len(script))
    started = time.perf_counter()
    latencies, errors = await drive(url, senders, script, progress)
    seconds = time.perf_counter() - started
    answered = sorted(latencies)
    if not answered:
        raise RuntimeError(f"{label}: not one message was answered; see the server logs")
    return LoadFigures(
        label=label, conversations=conversations, turns=len(answered) + sum(errors.values()),
        errors=sum(errors.values()), error_kinds=", ".join(f"{kind}: {n}" for kind, n in errors.most_common()),
        seconds=seconds, p50_ms=percentile(answered, 50), p95_ms=percentile(answered, 95),
        p99_ms=percentile(answered, 99), max_ms=answered[-1],
        rasa_peak_mb=peak_memory_mb(rasa_pid) if rasa_pid else None,
        actions_peak_mb=peak_memory_mb(actions_pid) if actions_pid else None,
    )


async def _serving(wanted: List[Service], processes: Processes, cwd: Path,
                   work: Callable[[], Awaitable[LoadFigures]]) -> LoadFigures:
    """Start `wanted`, run `work` once every one answers, and always stop them."""
    try:
        for service in wanted:
            process = await processes.start(service, cwd)
            if not await wait_ready(service.port, service.ready_path, process):
                raise RuntimeError(f"the {service.name} server did not start; see {processes.log_dir}")
        return await work()
    finally:
        await processes.stop()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def run_intake(conversations: int, workdir: Path) -> LoadFigures:
    """The assistant, as `make run` serves it, on a fresh seeded database."""
    database_url = f"sqlite:///{workdir / 'intake.db'}"
    seed_if_empty(Database(database_url).sessions)
    settings = Settings.from_env({"RASA_PORT": str(_free_port()), "ACTIONS_PORT": str(_free_port()),
                                  "INTAKE_DATABASE_URL": database_url})
    wanted = [s for s in services(settings) if s.name in ("actions", "rasa")]
    processes = Processes(service_environment(settings), log_dir=workdir)
    url = f"http://127.0.0.1:{settings.rasa_port}/webhooks/rest/webhook"

    async def work() -> LoadFigures:
        figures = await measure("intake assistant", url, conversations, INTAKE_CONVERSATION,
                                processes.running["rasa"].pid, processes.running["actions"].pid)
        return _with_completed(figures, database_url)

    return await _serving(wanted, processes, PROJECT_ROOT, work)


def _with_completed(figures: LoadFigures, database_url: str) -> LoadFigures:
    engine = sa.create_engine(database_url)
    try:
        with engine.connect() as connection:
            completed = connection.execute(
                sa.select(sa.func.count(sa.distinct(IntakeRecord.sender_id)))
                .where(IntakeRecord.sender_id.like(f"{SENDER_PREFIX}%"))
                .where(IntakeRecord.sender_id.notlike(f"{SENDER_PREFIX}warmup-%"))
            ).scalar_one()
    finally:
        engine.dispose()
    return replace(figures, completed=completed)


def bare_bot(directory: Path = BARE_BOT_CACHE) -> Path:
    """A `rasa init --no-prompt` project with its trained model, made once per Rasa version."""
    marker = directory / ".rasa-version"
    if marker.is_file() and marker.read_text() == rasa.__version__ and any((directory / "models").glob("*.tar.gz")):
        return directory
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    print(f"Creating and training the bare bot in {directory} (once)…", file=sys.stderr, flush=True)
    subprocess.run([str(Path(sys.executable).with_name("rasa")), "init", "--no-prompt", "--init-dir", str(directory)],
                   env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"}, stdout=subprocess.DEVNULL,
                   stderr=subprocess.STDOUT, check=True)
    marker.write_text(rasa.__version__)
    return directory


async def run_bare(conversations: int, workdir: Path, directory: Path) -> LoadFigures:
    """The bare bot under the same load (its own defaults: REST channel, in-memory tracker store)."""
    port = _free_port()
    rasa_service = Service("bare-rasa", port, [str(Path(sys.executable).with_name("rasa")), "run", "--port", str(port),
                                               "--model", "models", "--credentials", "credentials.yml"])
    processes = Processes({**os.environ, "RASA_TELEMETRY_ENABLED": "false"}, log_dir=workdir)
    url = f"http://127.0.0.1:{port}/webhooks/rest/webhook"

    async def work() -> LoadFigures:
        return await measure("bare rasa init bot", url, conversations, BARE_CONVERSATION,
                             processes.running["bare-rasa"].pid)

    return await _serving([rasa_service], processes, directory, work)


def run(conversations: int = DEFAULT_CONVERSATIONS, compare: bool = True,
        workdir: Optional[Path] = None, url: Optional[str] = None) -> List[LoadFigures]:
    """Measure the assistant (started here, or the deployment at `url`), then (with `compare`)
    the bare bot; server logs go to `workdir`."""
    if workdir is None:
        with tempfile.TemporaryDirectory(prefix="intake-load-") as tmp:
            return run(conversations, compare, Path(tmp), url)
    if url:
        webhook = url.rstrip("/") + "/webhooks/rest/webhook"
        figures = [asyncio.run(measure(f"assistant at {url}", webhook, conversations, INTAKE_CONVERSATION))]
    elif MODEL.is_file():
        figures = [asyncio.run(run_intake(conversations, workdir))]
    else:
        raise RuntimeError("No trained model: run 'make train' first.")
    if compare:
        figures.append(asyncio.run(run_bare(conversations, workdir, bare_bot())))
    return figures


def report(figures: Sequence[LoadFigures]) -> str:
    """The figures side by side, with the targets."""
    rows = [
        ("conversations at once", lambda f: str(f.conversations)),
        ("turns", lambda f: str(f.turns)),
        ("errors", lambda f: f"{f.errors} ({f.error_kinds})" if f.errors else "0"),
        ("reached the hand-off", lambda f: "-" if f.completed is None else f"{f.completed}/{f.conversations}"),
        ("turn latency p50", lambda f: f"{f.p50_ms:.0f} ms"),
        ("turn latency p95", lambda f: f"{f.p95_ms:.0f} ms"),
        ("turn latency p99", lambda f: f"{f.p99_ms:.0f} ms"),
        ("turn latency max", lambda f: f"{f.max_ms:.0f} ms"),
        ("throughput", lambda f: f"{f.throughput:.1f} turns/s"),
        ("Rasa server peak memory", lambda f: "-" if f.rasa_peak_mb is None else f"{f.rasa_peak_mb:.0f} MB"),
        ("action server peak memory", lambda f: "-" if f.actions_peak_mb is None else f"{f.actions_peak_mb:.0f} MB"),
    ]
    name_width = max(len(name) for name, _ in rows)
    column = max(22, *(len(f.label) for f in figures))
    lines = ["load benchmark (REST channel, every person answers at once)",
             f"{'':<{name_width}}  " + "  ".join(f"{f.label:>{column}}" for f in figures)]
    lines += [f"{name:<{name_width}}  " + "  ".join(f"{cell(f):>{column}}" for f in figures) for name, cell in rows]
    ours = figures[0]
    lines.append(f"target: no errors at {DEFAULT_CONVERSATIONS} conversations: "
                 f"{'met' if ours.errors == 0 and ours.conversations >= DEFAULT_CONVERSATIONS else 'MISSED'}")
    if ours.rasa_peak_mb is not None:
        lines.append(f"target: Rasa server peak memory <= {TARGET_RASA_PEAK_MB} MB: "
                     f"{'met' if ours.rasa_peak_mb <= TARGET_RASA_PEAK_MB else 'MISSED'}")
    if len(figures) > 1:
        ratio = ours.p95_ms / figures[1].p95_ms
        lines.append(f"p95 ratio to the bare bot: {ratio:.2f} "
                     f"(target <= {TARGET_P95_RATIO}: {'met' if ratio <= TARGET_P95_RATIO else 'MISSED'})")
    return "\n".join(lines)
