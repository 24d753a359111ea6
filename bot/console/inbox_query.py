"""Inbox queries: the filtered intakes, urgent first, with their counts."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Dict, List, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.console.inbox_filters import InboxFilters
from bot.console.paging import Page, fetch_page
from bot.models import REVIEW_STATUSES, IntakeRecord

PAGE_SIZE = 25
SEARCHED_COLUMNS = (IntakeRecord.sender_id, IntakeRecord.contact_email, IntakeRecord.contact_phone,
                    IntakeRecord.assignee)


@dataclass(frozen=True)
class InboxRow:
    """One intake as the inbox lists it (no personal data beyond the assignee)."""

    id: int
    created_at: dt.datetime
    channel: str
    concerns: Tuple[str, ...]
    status: str
    crisis: bool
    assignee: Optional[str]


@dataclass(frozen=True)
class InboxPage(Page[InboxRow]):
    """One page of the filtered inbox, and the counts shown above it."""

    status_counts: Dict[str, int]
    open_crisis: int
    channels: List[str]


def conditions(filters: InboxFilters) -> List[sa.sql.ColumnElement]:
    """SQL conditions for the filters; every value is a bound parameter."""
    where: List[sa.sql.ColumnElement] = []
    if filters.status:
        where.append(IntakeRecord.review_status == filters.status)
    if filters.concern:
        # concerns is a JSON list of canonical names; the name was checked against CONCERNS.
        where.append(sa.cast(IntakeRecord.concerns, sa.Text).like(f'%"{filters.concern}"%'))
    if filters.channel:
        where.append(IntakeRecord.channel == filters.channel)
    if filters.crisis is not None:
        where.append(IntakeRecord.crisis_flag.is_(filters.crisis))
    if filters.date_from:
        where.append(IntakeRecord.created_at >= dt.datetime.combine(filters.date_from, dt.time()))
    if filters.date_to:
        where.append(IntakeRecord.created_at < dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time()))
    if filters.search:
        where.append(_search(filters.search))
    return where


def _search(term: str) -> sa.sql.ColumnElement:
    """Intake number (12 or #12), or part of the sender id, contact details or assignee."""
    lowered = term.lower()
    matches = [sa.func.lower(column).contains(lowered, autoescape=True) for column in SEARCHED_COLUMNS]
    number = term.lstrip("#")
    if number.isascii() and number.isdigit() and len(number) < 10:
        matches.append(IntakeRecord.id == int(number))
    return sa.or_(*matches)


def urgent_first() -> Tuple[sa.sql.ColumnElement, ...]:
    """Crisis-flagged intakes that are not closed come first, then the newest."""
    open_crisis = sa.and_(IntakeRecord.crisis_flag.is_(True), IntakeRecord.review_status != "closed")
    return sa.case((open_crisis, 0), else_=1), IntakeRecord.created_at.desc(), IntakeRecord.id.desc()


def _row(record: IntakeRecord) -> InboxRow:
    return InboxRow(record.id, record.created_at, record.channel, tuple(record.concerns or ()),
                    record.review_status, bool(record.crisis_flag), record.assignee)


def inbox_page(session: Session, filters: InboxFilters) -> InboxPage:
    """The page of intakes the filters ask for, clamped to the last page."""
    query = sa.select(IntakeRecord).where(*conditions(filters)).order_by(*urgent_first())
    found = fetch_page(session, query, filters.page, PAGE_SIZE, _row)
    # Counts per status under the other filters, so each status link says what it will show.
    others = conditions(replace(filters, status=None))
    by_status = dict(session.execute(
        sa.select(IntakeRecord.review_status, sa.func.count(IntakeRecord.id)).where(*others)
        .group_by(IntakeRecord.review_status)
    ).all())
    open_crisis = session.scalar(sa.select(sa.func.count(IntakeRecord.id)).where(
        IntakeRecord.crisis_flag.is_(True), IntakeRecord.review_status != "closed"))
    channels = list(session.scalars(
        sa.select(IntakeRecord.channel).where(IntakeRecord.channel != "").distinct().order_by(IntakeRecord.channel)))
    return InboxPage(
        **vars(found),
        status_counts={status: by_status.get(status, 0) for status in REVIEW_STATUSES},
        open_crisis=open_crisis, channels=channels,
    )


def matching_records(session: Session, filters: InboxFilters) -> List[IntakeRecord]:
    """Every intake the filters select (for the export), urgent first."""
    return list(session.scalars(sa.select(IntakeRecord).where(*conditions(filters)).order_by(*urgent_first())))
