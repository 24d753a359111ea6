"""Everything the intake page shows, read in one short transaction."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, List, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.console.staff_accounts import assignable_staff
from bot.intake import PREFERENCE_KEYS
from bot.models import IntakeNote, IntakeRecord

FREE_TEXT_PREFERENCES = ("location",)
PREFERENCE_LABELS = {
    "format": "Format", "location": "Location", "day": "Days", "time_of_day": "Time of day",
    "leader": "Led by", "language": "Language", "accessibility": "Accessibility",
    "observe_first": "Wants to listen first",
}


@dataclass(frozen=True)
class Note:
    """A staff note as the page shows it."""

    author: str
    created_at: dt.datetime
    body: str


@dataclass(frozen=True)
class IntakeDetail:
    """An intake record, its notes and who it can be assigned to."""

    record: IntakeRecord
    notes: List[Note]
    staff: List[str]

    @property
    def consented(self) -> bool:
        return self.record.consent_given_at is not None

    def contact(self) -> Optional[Tuple[str, str]]:
        """(method, details) the person agreed to be contacted by, or None."""
        record = self.record
        if not self.consented:
            return None
        if record.contact_method == "email" and record.contact_email:
            return "E-mail", record.contact_email
        if record.contact_method == "phone" and record.contact_phone:
            return "Phone", record.contact_phone
        return None

    def preferences(self, redact: Callable[[str], str]) -> List[Tuple[str, str]]:
        """(label, value) for each preference given, in a fixed order; free text goes through `redact`."""
        given = self.record.preferences or {}
        rows = []
        for key in PREFERENCE_KEYS:
            value = given.get(key)
            if value in (None, "", []):
                continue
            if isinstance(value, bool):
                text = "yes" if value else "no"
            elif isinstance(value, list):
                text = ", ".join(str(item) for item in value)
            else:
                text = str(value)
            text = redact(text) if key in FREE_TEXT_PREFERENCES else text.replace("_", " ")
            rows.append((PREFERENCE_LABELS[key], text))
        return rows


def load_intake(session: Session, intake_id: int) -> Optional[IntakeDetail]:
    """The intake with its notes (oldest first), or None."""
    record = session.get(IntakeRecord, intake_id)
    if record is None:
        return None
    notes = [
        Note(note.author, note.created_at, note.body)
        for note in session.scalars(
            sa.select(IntakeNote).where(IntakeNote.intake_id == intake_id).order_by(IntakeNote.id))
    ]
    return IntakeDetail(record, notes, assignable_staff(session))
