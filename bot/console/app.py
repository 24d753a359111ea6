"""The staff console's aiohttp application factory."""
from __future__ import annotations

import asyncio
from pathlib import Path
from typing import List, Optional

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.console import audit_pages, catalog_pages, dashboard, health, inbox, intake_page, live, sign_in
from bot.console.client_info import CONSOLE_SETTINGS
from bot.console.errors import error_pages
from bot.console.middleware import check_csrf, require_access, security_headers, sessions
from bot.console.page import page_context
from bot.console.settings import ConsoleSettings
from bot.console.storage import DATABASE
from bot.database import Database
from bot.redaction import redact
from bot.settings import Settings

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
SETTINGS = web.AppKey("settings", Settings)
MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # catalog files are uploaded through the console

# Every route module, each exposing `routes = web.RouteTableDef()`.
ROUTE_MODULES: List = [health, sign_in, inbox, intake_page, audit_pages, live, catalog_pages, dashboard]


async def warm_up_redaction(_app: web.Application) -> None:
    """Build the shared redactor (a slow spaCy load) in the background, so the first transcript opens quickly."""
    asyncio.get_running_loop().run_in_executor(None, redact, "")


def create_app(database: Database, settings: Settings, console: Optional[ConsoleSettings] = None) -> web.Application:
    """The console app; `console` defaults to the INTAKE_STAFF_* environment."""
    # Outermost first: headers on everything, then the session, error pages, access rules, CSRF.
    app = web.Application(
        middlewares=[security_headers, sessions, error_pages, require_access, check_csrf],
        client_max_size=MAX_UPLOAD_BYTES,
    )
    app[DATABASE] = database
    app[SETTINGS] = settings
    app[CONSOLE_SETTINGS] = console or ConsoleSettings.from_env()
    aiohttp_jinja2.setup(
        app, loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
        undefined=jinja2.StrictUndefined, context_processors=[page_context],
    )
    for module in ROUTE_MODULES:
        app.router.add_routes(module.routes)
    app.router.add_static("/static/", STATIC, name="static")
    app.on_startup.append(warm_up_redaction)
    app.cleanup_ctx.append(live.watch_waiting_conversations)  # the crisis watcher of the live hand-off
    return app
