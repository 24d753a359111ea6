"""The intake hand-off: store what the person agreed to share, flag crises, tell staff."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

import phonenumbers
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from bot.matching.engine import LANGUAGE_NAMES
from bot.models import WEEKDAYS, IntakeRecord, OutboxMessage

PREFERENCE_KEYS = (
    "format", "location", "day", "time_of_day", "leader", "language", "accessibility", "observe_first",
)
CONTACT_METHODS = ("email", "phone", "none")
NO_PREFERENCE = ("any", "none", "either", "")
MAX_EMAIL_LENGTH = 254

# local@domain.tld: no spaces, one @, a dotted domain of letters, digits and hyphens.
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)

CONCERN_WORDS = {
    "alcohol": "alcohol", "drugs": "drugs", "gambling": "gambling", "bereavement": "bereavement",
    "chronic_illness": "living with a chronic illness", "anxiety": "anxiety", "depression": "depression",
    "trauma": "trauma", "family_support": "supporting someone close to you",
}
FORMAT_WORDS = {"in_person": "in person", "online": "online", "hybrid": "in person or online"}
TIME_WORDS = {"morning": "mornings", "afternoon": "afternoons", "evening": "evenings"}
LEADER_WORDS = {"peer": "peer-led", "professional": "led by a professional"}
ACCESSIBILITY_WORDS = {
    "wheelchair": "step-free access", "hearing_loop": "a hearing loop",
    "sign_language": "sign language interpretation", "captions": "live captions",
}


@dataclass(frozen=True)
class IntakeSummary:
    """What the conversation collected, ready to hand to staff."""

    sender_id: str
    channel: str = ""
    concerns: Tuple[str, ...] = ()
    preferences: Dict[str, Any] = field(default_factory=dict)
    consent: Optional[Dict[str, Any]] = None
    contact_email: Optional[str] = None
    contact_phone: Optional[str] = None
    contact_method: Optional[str] = None
    recommendations: List[Dict[str, Any]] = field(default_factory=list)
    crisis: bool = False


# --- input validation for the contact form ------------------------------------

def normalise_email(text: Optional[str]) -> Optional[str]:
    """The address with its domain lower-cased, or None when it isn't a plausible e-mail."""
    if not isinstance(text, str):
        return None
    candidate = text.strip()
    if len(candidate) > MAX_EMAIL_LENGTH or not _EMAIL.match(candidate):
        return None
    local, domain = candidate.rsplit("@", 1)
    if len(local) > 64 or local.startswith(".") or local.endswith(".") or ".." in local:
        return None
    return f"{local}@{domain.lower()}"


def normalise_phone(text: Optional[str], region: str = "GB") -> Optional[str]:
    """The number in E.164 form, or None; 'possible' numbers (fictional test ranges) count."""
    if not isinstance(text, str) or not text.strip() or len(text) > 40:
        return None
    try:
        number = phonenumbers.parse(text.strip(), region)
    except phonenumbers.NumberParseException:
        return None
    if not (phonenumbers.is_valid_number(number) or phonenumbers.is_possible_number(number)):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


# --- storing -------------------------------------------------------------------

def _consent_time(consent: Optional[Dict[str, Any]]) -> Optional[dt.datetime]:
    """When consent was given (naive UTC), or None unless it was clearly given."""
    if not isinstance(consent, dict) or consent.get("given") is not True:
        return None
    at = consent.get("at")
    if not isinstance(at, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(at.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return moment


def _open_record(session: Session, sender_id: str) -> Optional[IntakeRecord]:
    """The sender's latest record that staff have not closed."""
    return session.scalars(
        sa.select(IntakeRecord)
        .where(IntakeRecord.sender_id == sender_id, IntakeRecord.review_status != "closed")
        .order_by(IntakeRecord.created_at.desc(), IntakeRecord.id.desc())
        .limit(1)
    ).first()


def _has_outbox(session: Session, **where: Any) -> bool:
    """Whether an outbox message matching `where` (column=value, read_at=None …) exists."""
    query = sa.select(OutboxMessage.id)
    for column, value in where.items():
        attribute = getattr(OutboxMessage, column)
        query = query.where(attribute.is_(None) if value is None else attribute == value)
    return session.scalars(query.limit(1)).first() is not None


def _preferences(summary: IntakeSummary) -> Dict[str, Any]:
    """The known preference keys that were set."""
    return {key: summary.preferences[key] for key in PREFERENCE_KEYS if summary.preferences.get(key) is not None}


def _contact(summary: IntakeSummary) -> Tuple[Optional[str], Optional[str], Optional[str]]:
    """(email, phone, method), re-validated; someone who chose 'none' keeps no details on file."""
    method = summary.contact_method if summary.contact_method in CONTACT_METHODS else None
    if method == "none":
        return None, None, method
    return normalise_email(summary.contact_email), normalise_phone(summary.contact_phone), method


def save_intake(sessions: sessionmaker, summary: IntakeSummary) -> Optional[int]:
    """Store or update the sender's open intake record, only with consent; returns its id or None.

    Without `consent["given"] is True` (and a readable consent time) nothing at
    all is stored. A record is re-used while staff haven't closed it, so one
    conversation never leaves duplicates. Staff get one "new_intake" outbox
    message per record, in the same transaction as the record; that includes a
    record first made by flag_crisis, which becomes a full intake here.
    """
    consent_at = _consent_time(summary.consent)
    if consent_at is None:
        return None
    email, phone, method = _contact(summary)
    with sessions() as session, session.begin():
        record = _open_record(session, summary.sender_id)
        if record is None:
            record = IntakeRecord(sender_id=summary.sender_id, crisis_flag=False)
            session.add(record)
        record.channel = summary.channel or record.channel or ""
        record.concerns = list(summary.concerns)
        record.preferences = _preferences(summary)
        record.consent_given_at = consent_at
        version = summary.consent.get("version")
        record.consent_version = str(version)[:20] if version else None
        record.contact_email, record.contact_phone, record.contact_method = email, phone, method
        record.recommendations = [dict(item) for item in summary.recommendations]
        record.crisis_flag = bool(record.crisis_flag or summary.crisis)
        session.flush()
        if not _has_outbox(session, kind="new_intake", intake_id=record.id):
            session.add(OutboxMessage(
                kind="new_intake", sender_id=summary.sender_id, intake_id=record.id,
                urgent=record.crisis_flag,
            ))
        return record.id


def flag_crisis(sessions: sessionmaker, sender_id: str, channel: str = "") -> int:
    """Mark the sender's open record for crisis review and alert staff once; returns the record id.

    Duty of care: this runs whether or not the person consented to storing a
    summary. Keeping someone safe outweighs the default of storing nothing, so
    a minimal record is made when none exists: the sender id, the channel and
    the flag only; no concerns, preferences, contact details or message text,
    and empty consent fields (so it never reads as consent). Staff get one
    urgent "crisis" outbox message; while one for this sender is still unread,
    repeated crisis messages add no more.
    """
    with sessions() as session, session.begin():
        record = _open_record(session, sender_id)
        if record is None:
            record = IntakeRecord(sender_id=sender_id, channel=channel or "", crisis_flag=True)
            session.add(record)
        else:
            record.crisis_flag = True
            record.channel = record.channel or channel or ""
        session.flush()
        if not _has_outbox(session, kind="crisis", sender_id=sender_id, read_at=None):
            session.add(OutboxMessage(kind="crisis", sender_id=sender_id, intake_id=record.id, urgent=True))
        return record.id


# --- telling the person what was kept ------------------------------------------

def _listed(value: Any) -> List[str]:
    """A slot value as a list of meaningful strings ('any', 'none', 'either' dropped)."""
    items = value if isinstance(value, (list, tuple)) else [value]
    return [str(item) for item in items if item is not None and str(item) not in NO_PREFERENCE]


def _day_words(day: str) -> str:
    if day in ("weekday", "weekend"):
        return day + "s"
    return day.capitalize() + "s" if day in WEEKDAYS else day


def _preference_words(preferences: Dict[str, Any]) -> List[str]:
    """Each set preference in plain words, in a fixed order."""
    words: List[str] = []
    words += [FORMAT_WORDS.get(v, v) for v in _listed(preferences.get("format"))]
    words += [f"near {v}" for v in _listed(preferences.get("location"))]
    words += [_day_words(v) for v in _listed(preferences.get("day"))]
    words += [TIME_WORDS.get(v, v) for v in _listed(preferences.get("time_of_day"))]
    words += [LEADER_WORDS.get(v, v) for v in _listed(preferences.get("leader"))]
    words += [f"in {LANGUAGE_NAMES.get(v, v)}" for v in _listed(preferences.get("language"))]
    words += [ACCESSIBILITY_WORDS.get(v, v.replace("_", " ")) for v in _listed(preferences.get("accessibility"))]
    if preferences.get("observe_first") is True:
        words.append("listening only at first")
    return words


def _contact_line(summary: IntakeSummary) -> Optional[str]:
    if summary.contact_method == "email" and summary.contact_email:
        return f"Contact: by email at {summary.contact_email}"
    if summary.contact_method == "phone" and summary.contact_phone:
        return f"Contact: by phone at {summary.contact_phone}"
    if summary.contact_method == "none":
        return "Contact: you'd rather not be contacted"
    return None


def summary_lines(summary: IntakeSummary) -> List[str]:
    """A short plain-words summary of what the person shared, to show them."""
    lines = []
    concerns = [CONCERN_WORDS.get(c, c.replace("_", " ")) for c in summary.concerns]
    if concerns:
        lines.append("You told me about: " + ", ".join(concerns))
    preferences = _preference_words(summary.preferences)
    if preferences:
        lines.append("Preferences: " + ", ".join(preferences))
    names = [str(item["name"]) for item in summary.recommendations if item.get("name")]
    if names:
        lines.append("Groups suggested: " + ", ".join(names))
    contact = _contact_line(summary)
    if contact:
        lines.append(contact)
    return lines
