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
from bot.console.paging import page_count, parse_page
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
class AuditPage:
    """One page of the audit log and the actions it can be filtered by."""

    rows: List[AuditRow]
    total: int
    page: int
    pages: int
    actions: List[str]


def audit_page(session: Session, action: Optional[str], page: int) -> AuditPage:
    """One page of entries (optionally of one action), newest first."""
    where = [AuditEntry.action == action] if action else []
    total = session.scalar(sa.select(sa.func.count(AuditEntry.id)).where(*where))
    pages = page_count(total, PAGE_SIZE)
    page = min(page, pages)
    entries = session.scalars(
        sa.select(AuditEntry).where(*where).order_by(AuditEntry.id.desc())
        .limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE))
    actions = list(session.scalars(sa.select(AuditEntry.action).distinct().order_by(AuditEntry.action)))
    rows = [AuditRow(e.at, e.actor, e.action, e.target, e.client_ip) for e in entries]
    return AuditPage(rows, total, page, pages, actions)


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
