"""aiohttp app serving the chat page and its configuration."""
from __future__ import annotations

from pathlib import Path

from aiohttp import web

from bot.settings import Settings

STATIC = Path(__file__).resolve().parent / "static"


def create_app(settings: Settings) -> web.Application:
    """The chat page app; the page reads /config.json to find the Rasa server."""

    async def index(_request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC / "index.html")

    async def config(_request: web.Request) -> web.Response:
        return web.json_response({"rasaPort": settings.rasa_port})

    async def health(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_get("/", index)
    app.router.add_get("/config.json", config)
    app.router.add_get("/health", health)
    app.router.add_static("/static/", STATIC)
    return app
