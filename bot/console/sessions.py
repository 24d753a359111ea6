"""Server-side staff sessions: the cookie holds a random token, the database only its hash."""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.models import StaffMember, StaffSession

SESSION_COOKIE = "intake_staff_session"
# Sessions are written back at most this often, so browsing doesn't write on every request.
TOUCH_INTERVAL = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class Staff:
    """The signed-in staff member of a request."""

    id: int
    email: str
    role: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class ActiveSession:
    """A valid session: who it belongs to and the CSRF token of its forms."""

    staff: Staff
    csrf_token: str


def new_token() -> str:
    """A fresh unguessable token (256 bits)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The SHA-256 of a session token, the only form in which it is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(session: Session, staff_id: int, now: dt.datetime) -> str:
    """Create a session with its own CSRF token; returns the cookie's token."""
    token = new_token()
    session.add(StaffSession(token_hash=token_hash(token), staff_id=staff_id, csrf_token=new_token(),
                             created_at=now, last_seen_at=now))
    return token


def end_session(session: Session, token: str) -> None:
    """Delete the session the token belongs to, if any."""
    session.execute(sa.delete(StaffSession).where(StaffSession.token_hash == token_hash(token)))


def resume_session(
    session: Session, token: str, now: dt.datetime, idle_timeout: dt.timedelta, max_age: dt.timedelta,
) -> Optional[ActiveSession]:
    """The session for `token` if it is still valid (touched now); expired sessions are deleted."""
    row = session.scalars(sa.select(StaffSession).where(StaffSession.token_hash == token_hash(token))).first()
    if row is None:
        return None
    if (now - row.last_seen_at > idle_timeout or now - row.created_at > max_age
            or not row.staff.active):
        session.delete(row)
        return None
    if now - row.last_seen_at > TOUCH_INTERVAL:
        row.last_seen_at = now
    return ActiveSession(Staff(row.staff.id, row.staff.email, row.staff.role), row.csrf_token)


def delete_expired_sessions(session: Session, now: dt.datetime, idle_timeout: dt.timedelta) -> None:
    """Remove sessions idle for longer than the timeout (called at each sign-in)."""
    session.execute(sa.delete(StaffSession).where(StaffSession.last_seen_at < now - idle_timeout))


def find_staff(session: Session, email: str) -> Optional[StaffMember]:
    """The active staff member with this (normalised) e-mail address."""
    return session.scalars(
        sa.select(StaffMember).where(StaffMember.email == email, StaffMember.active.is_(True))
    ).first()
