"""aiohttp app serving the chat widget, its demo page and the crisis resources it shows."""
from __future__ import annotations

import re
from pathlib import Path
from typing import Awaitable, Callable, Dict

import aiohttp_jinja2
import jinja2
from aiohttp import web
from yarl import URL

from bot.settings import PROJECT_ROOT, Settings
from bot.web.crisis_resources import CrisisResources

HERE = Path(__file__).resolve().parent
WIDGET_DIST = PROJECT_ROOT / "widget" / "dist"
WIDGET_FILES = ("widget.js", "widget.css")
_HOST = re.compile(r"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$")
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_LOCALE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class WidgetNotBuilt(RuntimeError):
    """The widget bundle is missing: set-up has not run (or npm was missing)."""


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Headers every response carries; the demo page adds its Content-Security-Policy."""
    response = await handler(request)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def content_security_policy(rasa_origin: str) -> str:
    """Only this server's own files, and the Rasa server for the chat itself."""
    websocket_origin = "ws" + rasa_origin[len("http"):]
    return "; ".join([
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        f"connect-src 'self' {rasa_origin} {websocket_origin}",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ])


def page_origin(request: web.Request) -> URL:
    """The origin the visitor used to reach this page (request.url breaks on a Host with a port here)."""
    if not _HOST.match(request.host):
        raise web.HTTPBadRequest(text="The request's Host header is not a valid host name.")
    return URL(f"{request.scheme}://{request.host}").origin()


def demo_widget_settings(query: Dict[str, str]) -> Dict[str, str]:
    """The demo's country and locale from `?country=GB&locale=en-GB`; anything malformed is left out."""
    settings = {}
    if _COUNTRY.match(query.get("country", "")):
        settings["country"] = query["country"].upper()
    if _LOCALE.match(query.get("locale", "")):
        settings["locale"] = query["locale"]
    return settings


def create_app(settings: Settings) -> web.Application:
    """The widget's files, the demo page that embeds it, and /crisis-resources.json."""
    missing = [name for name in WIDGET_FILES if not (WIDGET_DIST / name).is_file()]
    if missing:
        raise WidgetNotBuilt(
            f"The chat widget is not built ({', '.join(missing)} missing in {WIDGET_DIST}): "
            "run 'bash scripts/setup.sh' (it needs Node.js and npm)."
        )
    resources = CrisisResources.load()

    async def demo(request: web.Request) -> web.Response:
        origin = page_origin(request)
        rasa_origin = str(origin.with_port(settings.rasa_port))
        widget_settings = {"server-url": rasa_origin, **demo_widget_settings(dict(request.query))}
        response = aiohttp_jinja2.render_template("demo.html", request, {
            "widget_url": str(origin / "widget.js"), "widget_settings": widget_settings,
        })
        response.headers["Content-Security-Policy"] = content_security_policy(rasa_origin)
        return response

    def widget_file(name: str) -> Handler:
        async def serve(_request: web.Request) -> web.FileResponse:
            # Revalidated each time (ETag), so a rebuilt widget reaches every site at once.
            return web.FileResponse(WIDGET_DIST / name, headers={"Cache-Control": "no-cache"})
        return serve

    async def crisis(request: web.Request) -> web.Response:
        body = resources.for_country(request.query.get("country"))
        # Public information any embedding site may read.
        return web.json_response(body, headers={
            "Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=3600",
        })

    async def health(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def no_favicon(_request: web.Request) -> web.Response:
        return web.Response(status=204)

    app = web.Application(middlewares=[security_headers])
    aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True)
    app.router.add_get("/", demo)
    for name in WIDGET_FILES:
        app.router.add_get(f"/{name}", widget_file(name))
    app.router.add_get("/crisis-resources.json", crisis)
    app.router.add_get("/health", health)
    app.router.add_get("/favicon.ico", no_favicon)
    app.router.add_static("/static/", HERE / "static")
    return app
