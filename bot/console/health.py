"""GET /health: the console is up and its database answers a real query."""
from __future__ import annotations

import logging

import sqlalchemy as sa
from aiohttp import web

from bot.console.access import public
from bot.console.storage import in_transaction
from bot.models import StaffMember

log = logging.getLogger(__name__)

routes = web.RouteTableDef()


@routes.get("/health", name="health")
@public
async def health(request: web.Request) -> web.Response:
    """200 {"status": "ok"}, or 503 naming the dependency that failed."""
    try:
        await in_transaction(request, lambda session: session.scalar(sa.select(sa.func.count(StaffMember.id))))
    except sa.exc.SQLAlchemyError as error:
        log.warning("Health check: the database failed (%s)", type(error).__name__)
        return web.json_response({"status": "unavailable", "failing": "database"}, status=503)
    return web.json_response({"status": "ok"})
