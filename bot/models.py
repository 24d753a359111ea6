"""SQLAlchemy models: the group catalog, intake records and the staff outbox."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()

CONCERNS = (
    "alcohol", "drugs", "gambling", "bereavement", "chronic_illness",
    "anxiety", "depression", "trauma", "family_support",
)
FORMATS = ("in_person", "online", "hybrid")
LEADERS = ("peer", "professional")
APPROACHES = ("discussion", "12_step", "skills", "mindfulness", "creative")
ACCESSIBILITY = ("wheelchair", "hearing_loop", "sign_language", "captions")
AUDIENCES = (
    "women", "men", "young_adults", "older_adults", "lgbtq", "veterans", "parents",
    "family_members",
)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
REVIEW_STATUSES = ("new", "in_review", "contacted", "closed")


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def _value_table(name: str) -> sa.Table:
    """A (group_id, value) table for one multi-valued attribute of a group."""
    return sa.Table(
        name,
        Base.metadata,
        sa.Column("group_id", sa.ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("value", sa.String(32), primary_key=True, index=True),
    )



class _GroupValue:
    """One value of a multi-valued group attribute (a concern, a language, …)."""

    def __init__(self, value: str) -> None:
        self.value = value


class GroupConcern(_GroupValue, Base):
    __table__ = _value_table("group_concerns")


class GroupLanguage(_GroupValue, Base):
    __table__ = _value_table("group_languages")


class GroupAccessibility(_GroupValue, Base):
    __table__ = _value_table("group_accessibility")


class GroupAudience(_GroupValue, Base):
    __table__ = _value_table("group_audiences")


def _values(row_class) -> relationship:
    return relationship(row_class, cascade="all, delete-orphan", lazy="selectin")


class Group(Base):
    """A support group in the catalog."""

    __tablename__ = "groups"

    id = sa.Column(sa.Integer, primary_key=True)
    slug = sa.Column(sa.String(120), nullable=False, unique=True)
    name = sa.Column(sa.String(200), nullable=False)
    description = sa.Column(sa.Text, nullable=False, default="")
    leader = sa.Column(sa.String(16), nullable=False)
    approach = sa.Column(sa.String(16), nullable=False, default="discussion")
    format = sa.Column(sa.String(16), nullable=False, index=True)
    timezone = sa.Column(sa.String(64), nullable=False, default="UTC")
    address = sa.Column(sa.String(300), nullable=False, default="")
    city = sa.Column(sa.String(120), nullable=False, default="")
    postcode = sa.Column(sa.String(20), nullable=False, default="")
    country = sa.Column(sa.String(2), nullable=False, default="")
    latitude = sa.Column(sa.Float)
    longitude = sa.Column(sa.Float)
    online_instructions = sa.Column(sa.Text, nullable=False, default="")
    observers_welcome = sa.Column(sa.Boolean, nullable=False, default=True)
    newcomers_welcome = sa.Column(sa.Boolean, nullable=False, default=True)
    typical_size = sa.Column(sa.Integer)
    cost = sa.Column(sa.String(80), nullable=False, default="")
    contact = sa.Column(sa.String(200), nullable=False, default="")
    active = sa.Column(sa.Boolean, nullable=False, default=True, index=True)
    last_updated = sa.Column(sa.Date)

    meetings = relationship(
        "Meeting", back_populates="group", cascade="all, delete-orphan",
        order_by="(Meeting.weekday, Meeting.start_time)", lazy="selectin",
    )
    concern_rows = _values(GroupConcern)
    language_rows = _values(GroupLanguage)
    accessibility_rows = _values(GroupAccessibility)
    audience_rows = _values(GroupAudience)

    @property
    def concerns(self) -> list:
        return sorted(row.value for row in self.concern_rows)

    @property
    def languages(self) -> list:
        return sorted(row.value for row in self.language_rows)

    @property
    def accessibility(self) -> list:
        return sorted(row.value for row in self.accessibility_rows)

    @property
    def audience(self) -> list:
        return sorted(row.value for row in self.audience_rows)


class Meeting(Base):
    """One weekly meeting of a group, in the group's time zone."""

    __tablename__ = "meetings"

    id = sa.Column(sa.Integer, primary_key=True)
    group_id = sa.Column(sa.ForeignKey("groups.id", ondelete="CASCADE"), nullable=False, index=True)
    weekday = sa.Column(sa.Integer, nullable=False)  # 0 = Monday … 6 = Sunday
    start_time = sa.Column(sa.Time, nullable=False)
    end_time = sa.Column(sa.Time)

    group = relationship(Group, back_populates="meetings")


class IntakeRecord(Base):
    """What one person shared and was shown, stored only with their consent."""

    __tablename__ = "intake_records"

    id = sa.Column(sa.Integer, primary_key=True)
    sender_id = sa.Column(sa.String(255), nullable=False, index=True)
    channel = sa.Column(sa.String(40), nullable=False, default="")
    created_at = sa.Column(sa.DateTime, nullable=False, default=_utcnow, index=True)
    updated_at = sa.Column(sa.DateTime, nullable=False, default=_utcnow, onupdate=_utcnow)
    concerns = sa.Column(sa.JSON, nullable=False, default=list)
    preferences = sa.Column(sa.JSON, nullable=False, default=dict)
    consent_given_at = sa.Column(sa.DateTime)
    consent_version = sa.Column(sa.String(20))
    contact_email = sa.Column(sa.String(254))
    contact_phone = sa.Column(sa.String(40))
    contact_method = sa.Column(sa.String(20))
    recommendations = sa.Column(sa.JSON, nullable=False, default=list)
    crisis_flag = sa.Column(sa.Boolean, nullable=False, default=False, index=True)
    review_status = sa.Column(sa.String(16), nullable=False, default="new", index=True)
    assignee = sa.Column(sa.String(254))


class OutboxMessage(Base):
    """A notification for staff: read by the console, optionally also e-mailed."""

    __tablename__ = "staff_outbox"

    id = sa.Column(sa.Integer, primary_key=True)
    kind = sa.Column(sa.String(20), nullable=False)  # "new_intake" or "crisis"
    sender_id = sa.Column(sa.String(255), nullable=False, index=True)
    intake_id = sa.Column(sa.ForeignKey("intake_records.id", ondelete="SET NULL"))
    urgent = sa.Column(sa.Boolean, nullable=False, default=False)
    created_at = sa.Column(sa.DateTime, nullable=False, default=_utcnow)
    emailed_at = sa.Column(sa.DateTime)
    read_at = sa.Column(sa.DateTime)


STAFF_ROLES = ("reviewer", "admin")


class StaffMember(Base):
    """A person who signs in to the staff console; the password is kept only as an argon2 hash."""

    __tablename__ = "staff_members"

    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(sa.String(254), nullable=False, unique=True)
    role = sa.Column(sa.String(16), nullable=False)
    password_hash = sa.Column(sa.String(255), nullable=False)
    active = sa.Column(sa.Boolean, nullable=False, default=True)
    created_at = sa.Column(sa.DateTime, nullable=False, default=_utcnow)


class StaffSession(Base):
    """A signed-in browser; only the SHA-256 of the cookie's token is stored."""

    __tablename__ = "staff_sessions"

    id = sa.Column(sa.Integer, primary_key=True)
    token_hash = sa.Column(sa.String(64), nullable=False, unique=True)
    staff_id = sa.Column(sa.ForeignKey("staff_members.id", ondelete="CASCADE"), nullable=False, index=True)
    csrf_token = sa.Column(sa.String(64), nullable=False)
    created_at = sa.Column(sa.DateTime, nullable=False, default=_utcnow)
    last_seen_at = sa.Column(sa.DateTime, nullable=False, default=_utcnow)

    staff = relationship(StaffMember, lazy="joined")


class SignInFailure(Base):
    """One failed sign-in, counted per e-mail and per address to slow and lock out guessing."""

    __tablename__ = "sign_in_failures"

    id = sa.Column(sa.Integer, primary_key=True)
    email = sa.Column(sa.String(254), nullable=False, index=True)
    client_ip = sa.Column(sa.String(64), nullable=False, index=True)
    at = sa.Column(sa.DateTime, nullable=False, default=_utcnow, index=True)


class AuditEntry(Base):
    """Who did what to which record, and when; append-only (database triggers refuse edits)."""

    __tablename__ = "audit_log"

    id = sa.Column(sa.Integer, primary_key=True)
    at = sa.Column(sa.DateTime, nullable=False, default=_utcnow, index=True)
    actor = sa.Column(sa.String(254), nullable=False)  # a staff e-mail, kept even if the account goes
    action = sa.Column(sa.String(40), nullable=False, index=True)
    target = sa.Column(sa.String(200), nullable=False, default="")
    client_ip = sa.Column(sa.String(64), nullable=False, default="")


class IntakeNote(Base):
    """A staff note on an intake; erased with the intake."""

    __tablename__ = "intake_notes"

    id = sa.Column(sa.Integer, primary_key=True)
    intake_id = sa.Column(sa.ForeignKey("intake_records.id", ondelete="CASCADE"), nullable=False, index=True)
    author = sa.Column(sa.String(254), nullable=False)
    created_at = sa.Column(sa.DateTime, nullable=False, default=_utcnow)
    body = sa.Column(sa.Text, nullable=False)


class ProcessedWebhook(Base):
    """A platform message id already taken for processing: a retried webhook is answered once."""

    __tablename__ = "processed_webhooks"

    platform = sa.Column(sa.String(20), primary_key=True)
    message_id = sa.Column(sa.String(255), primary_key=True)
    received_at = sa.Column(sa.DateTime, nullable=False, default=_utcnow, index=True)
