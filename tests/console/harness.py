"""A real staff console on a loopback port, and a signed-in browser-like client for tests."""
from __future__ import annotations

import asyncio
import queue
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Iterable, Optional

import requests
from aiohttp import web

from bot.console.app import create_app
from bot.console.settings import ConsoleSettings
from bot.console.staff_accounts import add_staff_member
from bot.console.throttle import LockoutPolicy
from bot.database import Database
from bot.settings import Settings

PASSWORD = "a long test password"
# No waiting between failed sign-ins and a low account limit, so tests stay fast (each
# attempt costs a real argon2 verification); all test clients share 127.0.0.1, hence the
# generous address limit.
FAST_LOCKOUT = LockoutPolicy(base_delay_seconds=0.0, max_delay_seconds=0.0, account_limit=3, address_limit=100)
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class RunningConsole:
    """A console app served from a background thread with its own event loop."""

    app: web.Application
    database: Database
    url: str
    _loop: asyncio.AbstractEventLoop
    _runner: web.AppRunner
    _thread: threading.Thread

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def add_staff(self, email: str, role: str, password: str = PASSWORD) -> None:
        with self.database.sessions() as session, session.begin():
            add_staff_member(session, email, role, password)

    def browser(self, via_https_proxy: bool = False) -> "StaffClient":
        return StaffClient(self.url, via_https_proxy)


def start_console(database: Database, console: Optional[ConsoleSettings] = None,
                  settings: Optional[Settings] = None) -> RunningConsole:
    """Serve a console for `database` on 127.0.0.1 at a free port, from a thread of its own.

    Everything asynchronous happens in that thread, so callers may themselves run an event
    loop (Playwright's sync API does).
    """
    app = create_app(database, settings or Settings.from_env({"INTAKE_DATABASE_URL": database.url}),
                     console or ConsoleSettings(lockout=FAST_LOCKOUT))
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app, access_log=None)
    started: "queue.Queue[object]" = queue.Queue()

    def serve() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(runner.setup())
            loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", 0).start())
        except Exception as error:  # noqa: BLE001 - handed to the caller
            started.put(error)
            return
        started.put(runner.addresses[0][1])
        loop.run_forever()
        loop.close()

    thread = threading.Thread(target=serve, name="console-server", daemon=True)
    thread.start()
    port = started.get(timeout=30)
    if isinstance(port, Exception):
        raise port
    return RunningConsole(app, database, f"http://127.0.0.1:{port}", loop, runner, thread)


class StaffClient(requests.Session):
    """A cookie-keeping HTTP client that fills in the CSRF token like the console's forms do.

    With `via_https_proxy` it plays a browser talking HTTPS to a TLS proxy in front of the
    console: it says so in X-Forwarded-Proto and sends Secure cookies back over the loopback.
    """

    def __init__(self, base_url: str, via_https_proxy: bool = False) -> None:
        super().__init__()
        self.base_url = base_url
        self.csrf_token = ""
        self.via_https_proxy = via_https_proxy
        if via_https_proxy:
            self.headers["X-Forwarded-Proto"] = "https"

    def request(self, method, url, *args, **kwargs):  # type: ignore[override]
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 30)
        response = super().request(method, self.base_url + url, *args, **kwargs)
        if self.via_https_proxy:
            for cookie in self.cookies:
                cookie.secure = False
        found = CSRF_INPUT.search(response.text) if "text/html" in response.headers.get("Content-Type", "") else None
        if found:
            self.csrf_token = found.group(1)
        return response

    def get(self, url, **kwargs):  # type: ignore[override]
        """GET without following redirects (requests follows them for GET by default)."""
        return self.request("GET", url, **kwargs)

    def submit(self, path: str, data: Optional[dict] = None) -> requests.Response:
        """POST a form with this browser's CSRF token."""
        return self.post(path, data={**(data or {}), "csrf_token": self.csrf_token})

    def sign_in(self, email: str, password: str = PASSWORD) -> requests.Response:
        self.get("/sign-in")
        return self.submit("/sign-in", {"email": email, "password": password})


def signed_in(console: RunningConsole, email: str, password: str = PASSWORD) -> StaffClient:
    """A client signed in as `email`; fails loudly if signing in did not work."""
    client = console.browser()
    response = client.sign_in(email, password)
    assert response.status_code == 303, response.text
    client.get("/")  # picks up the session's CSRF token
    return client


def route_paths(app: web.Application, methods: Iterable[str]) -> list:
    """(method, concrete path, handler) for every route with one of `methods`, ids filled with 1."""
    found = []
    for route in app.router.routes():
        if route.method not in methods:
            continue
        info = route.resource.get_info() if route.resource else {}
        path = info.get("path") or info.get("formatter") or info.get("prefix")
        path = re.sub(r"\{[^}]+\}", "1", path)
        found.append((route.method, path, route.handler))
    return found


def save_conversation(database: Database, sender: str, events: list) -> None:
    """Store a conversation through Rasa's own SQL tracker store, in the console's database."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.tracker_store import DurableSQLTrackerStore

    store = DurableSQLTrackerStore(domain=Domain.empty(), host=database.url)
    tracker = DialogueStateTracker(sender, slots=[])
    for event in events:
        tracker.update(event)
    # In a thread of its own, so it works whether or not the caller runs an event loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, store.save(tracker)).result()
    store.engine.dispose()
