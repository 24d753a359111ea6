"""The audit log: every view, reveal, export, status change and sign-in, appended and never edited."""
from __future__ import annotations

import datetime as dt
from typing import Optional

from aiohttp import web
from sqlalchemy.orm import Session

from bot.console.client_info import client_ip
from bot.console.clock import utcnow
from bot.console.request_state import signed_in_staff
from bot.console.storage import in_transaction
from bot.models import AuditEntry

MAX_TARGET_LENGTH = 200


def record_audit(session: Session, actor: str, action: str, target: str, ip: str,
                 now: Optional[dt.datetime] = None) -> None:
    """Add an audit entry inside the caller's transaction (so it commits with the change it describes)."""
    session.add(AuditEntry(
        actor=actor[:254], action=action, target=target[:MAX_TARGET_LENGTH], client_ip=ip,
        at=now or utcnow(),
    ))


async def audit(request: web.Request, action: str, target: str = "") -> None:
    """Append an entry for the signed-in staff member; `target` names a record, never personal data."""
    actor, ip = signed_in_staff(request).email, client_ip(request)
    await in_transaction(request, lambda session: record_audit(session, actor, action, target, ip))
