"""The review workflow of an intake: status transitions, assignee and notes."""
from __future__ import annotations

from typing import Dict, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.console.clock import utcnow
from bot.models import IntakeNote, IntakeRecord, StaffMember

# new → in review → contacted → closed; a closed intake can be reopened for review.
TRANSITIONS: Dict[str, Tuple[str, ...]] = {
    "new": ("in_review",),
    "in_review": ("contacted", "closed"),
    "contacted": ("closed",),
    "closed": ("in_review",),
}
MAX_NOTE_LENGTH = 5000


class WorkflowError(ValueError):
    """A change that cannot be made, explained in one sentence for the staff member."""


class IntakeMissing(LookupError):
    """The intake does not exist (any more)."""


def _record(session: Session, intake_id: int) -> IntakeRecord:
    record = session.get(IntakeRecord, intake_id)
    if record is None:
        raise IntakeMissing(intake_id)
    return record


def change_status(session: Session, intake_id: int, seen: str, new: str) -> None:
    """Move the intake from `seen` (the status the form showed) to `new`, if that step is allowed."""
    record = _record(session, intake_id)
    if record.review_status != seen:
        raise WorkflowError(
            f"Someone changed this intake to “{record.review_status.replace('_', ' ')}” meanwhile; "
            "check it and try again."
        )
    if new not in TRANSITIONS.get(seen, ()):
        raise WorkflowError(f"An intake cannot go from “{seen.replace('_', ' ')}” to “{new.replace('_', ' ')}”.")
    record.review_status = new
    record.updated_at = utcnow()


def assign(session: Session, intake_id: int, email: Optional[str]) -> None:
    """Give the intake to an active staff member, or to nobody (None)."""
    record = _record(session, intake_id)
    if email is not None and session.scalar(
        sa.select(StaffMember.id).where(StaffMember.email == email, StaffMember.active.is_(True))
    ) is None:
        raise WorkflowError("Choose a staff member from the list.")
    record.assignee = email
    record.updated_at = utcnow()


def add_note(session: Session, intake_id: int, author: str, body: str) -> None:
    """Add a staff note; empty and over-long notes are refused."""
    _record(session, intake_id)
    text = body.strip()
    if not text:
        raise WorkflowError("The note is empty.")
    if len(text) > MAX_NOTE_LENGTH:
        raise WorkflowError(f"A note can have at most {MAX_NOTE_LENGTH} characters; this one has {len(text)}.")
    session.add(IntakeNote(intake_id=intake_id, author=author, body=text, created_at=utcnow()))
