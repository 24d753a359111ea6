"""Database access from handlers: one short session per unit of work, off the event loop."""
from __future__ import annotations

import asyncio
from typing import Callable, TypeVar

from aiohttp import web
from sqlalchemy.orm import Session

from bot.database import Database

DATABASE = web.AppKey("database", Database)

Result = TypeVar("Result")


def database(request: web.Request) -> Database:
    """The console's Database."""
    return request.app[DATABASE]


async def in_transaction(request: web.Request, work: Callable[[Session], Result]) -> Result:
    """Run `work(session)` in one transaction in a worker thread; return plain data, not ORM objects."""
    sessions = database(request).sessions

    def run() -> Result:
        with sessions() as session, session.begin():
            return work(session)

    return await asyncio.get_running_loop().run_in_executor(None, run)
