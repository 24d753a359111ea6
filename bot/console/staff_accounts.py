"""Staff accounts: e-mail rules, creating an account, listing who can be assigned work."""
from __future__ import annotations

import re
from typing import List, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.console.passwords import hash_password
from bot.models import STAFF_ROLES, StaffMember

MAX_EMAIL_LENGTH = 254
_EMAIL = re.compile(r"^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class StaffAccountError(ValueError):
    """An account that cannot be created, explained in one sentence."""


def normalise_staff_email(text: str) -> Optional[str]:
    """The address lower-cased and trimmed, or None when it isn't a plausible e-mail."""
    candidate = text.strip().lower()
    if len(candidate) > MAX_EMAIL_LENGTH or not _EMAIL.match(candidate):
        return None
    return candidate


def check_new_account(session: Session, email: str, role: str) -> str:
    """The normalised e-mail of an account that can be created; StaffAccountError otherwise."""
    address = normalise_staff_email(email)
    if address is None:
        raise StaffAccountError(f"{email!r} is not a valid e-mail address")
    if role not in STAFF_ROLES:
        raise StaffAccountError(f"the role must be one of {', '.join(STAFF_ROLES)}, not {role!r}")
    if session.scalar(sa.select(StaffMember.id).where(StaffMember.email == address)) is not None:
        raise StaffAccountError(f"there is already a staff account for {address}")
    return address


def add_staff_member(session: Session, email: str, role: str, password: str) -> StaffMember:
    """Create an account; StaffAccountError for a bad e-mail or role, or one that exists."""
    address = check_new_account(session, email, role)
    member = StaffMember(email=address, role=role, password_hash=hash_password(password), active=True)
    session.add(member)
    session.flush()
    return member


def assignable_staff(session: Session) -> List[str]:
    """The e-mail addresses of active staff, sorted."""
    return list(session.scalars(
        sa.select(StaffMember.email).where(StaffMember.active.is_(True)).order_by(StaffMember.email)
    ))
