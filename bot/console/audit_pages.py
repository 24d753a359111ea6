"""GET /audit: the audit log, newest first, for admins only (there is no route to change it)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import List, Optional

import aiohttp_jinja2
import sqlalchemy as sa
from aiohttp import web
from sqlalchemy.orm import Session

from bot.console.access import admin_only
from bot.console.paging import Page, fetch_page, parse_page
from bot.console.storage import in_transaction
from bot.models import AuditEntry

PAGE_SIZE = 50
_ACTION = re.compile(r"^[a-z_]{1,40}$")


@dataclass(frozen=True)
class AuditRow:
    """One audit entry as the page shows it."""

    at: dt.datetime
    actor: str
    action: str
    target: str
    client_ip: str


@dataclass(frozen=True)
class AuditPage(Page[AuditRow]):
    """One page of the audit log and the actions it can be filtered by."""

    actions: List[str]


def audit_page(session: Session, action: Optional[str], page: int) -> AuditPage:
    """One page of entries (optionally of one action), newest first."""
    where = [AuditEntry.action == action] if action else []
    query = sa.select(AuditEntry).where(*where).order_by(AuditEntry.id.desc())
    found = fetch_page(session, query, page, PAGE_SIZE, lambda e: AuditRow(e.at, e.actor, e.action, e.target, e.client_ip))
    actions = list(session.scalars(sa.select(AuditEntry.action).distinct().order_by(AuditEntry.action)))
    return AuditPage(found.rows, found.total, found.page, found.pages, actions)


routes = web.RouteTableDef()


@routes.get("/audit", name="audit_log")
@admin_only
async def audit_log(request: web.Request) -> web.Response:
    """The audit log, filterable by action."""
    problems = []
    action = request.query.get("action", "").strip() or None
    if action is not None and not _ACTION.match(action):
        problems.append("An action name has only lower-case letters and underscores; showing every action.")
        action = None
    page, page_problem = parse_page(request.query.get("page", ""))
    problems += [page_problem] if page_problem else []
    result = await in_transaction(request, lambda session: audit_page(session, action, page))
    context = {"log": result, "action": action or "", "problems": problems}
    return aiohttp_jinja2.render_template("audit.html", request, context, status=400 if problems else 200)
