"""Stores catalog records: an upsert by slug in one transaction."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.catalog.records import GroupRecord, MeetingTime, RecordError
from bot.models import (
    Group, GroupAccessibility, GroupAudience, GroupConcern, GroupLanguage, Meeting,
)

_SCALARS = (
    "name", "description", "leader", "approach", "format", "timezone", "address", "city",
    "postcode", "country", "latitude", "longitude", "online_instructions", "observers_welcome",
    "newcomers_welcome", "typical_size", "cost", "contact", "active", "last_updated",
)
_VALUE_ROWS = {
    "concerns": ("concern_rows", GroupConcern),
    "languages": ("language_rows", GroupLanguage),
    "accessibility": ("accessibility_rows", GroupAccessibility),
    "audience": ("audience_rows", GroupAudience),
}


@dataclass
class ImportCounts:
    """How many groups an import created, updated and left unchanged."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0


def record_of(group: Group) -> GroupRecord:
    """The stored group as a record, to compare with an incoming one."""
    return GroupRecord(
        slug=group.slug,
        concerns=tuple(group.concerns),
        languages=tuple(group.languages),
        accessibility=tuple(group.accessibility),
        audience=tuple(group.audience),
        meetings=tuple(MeetingTime(m.weekday, m.start_time, m.end_time) for m in group.meetings),
        **{name: getattr(group, name) for name in _SCALARS},
    )


def _normalised(record: GroupRecord) -> dict:
    data = record.as_dict()
    for key in _VALUE_ROWS:
        data[key] = tuple(sorted(set(data[key])))
    data["meetings"] = tuple(sorted(data["meetings"], key=lambda m: (m["weekday"], m["start"])))
    return data


def _apply(group: Group, record: GroupRecord) -> None:
    for name in _SCALARS:
        setattr(group, name, getattr(record, name))
    for key, (attribute, row_class) in _VALUE_ROWS.items():
        setattr(group, attribute, [row_class(value) for value in sorted(set(getattr(record, key)))])
    group.meetings = [Meeting(weekday=m.weekday, start_time=m.start, end_time=m.end) for m in record.meetings]


def upsert_groups(session: Session, records: Iterable[GroupRecord]) -> ImportCounts:
    """Create or update each record by slug; the caller owns the transaction."""
    records = list(records)
    slugs = [record.slug for record in records]
    repeated = sorted({slug for slug in slugs if slugs.count(slug) > 1})
    if repeated:
        raise RecordError(f"slug {repeated[0]!r} appears more than once in the import")
    existing = {
        group.slug: group
        for group in session.scalars(
            sa.select(Group).where(Group.slug.in_(slugs))
        )
    }
    counts = ImportCounts()
    for record in records:
        group = existing.get(record.slug)
        if group is None:
            group = Group(slug=record.slug)
            _apply(group, record)
            session.add(group)
            existing[record.slug] = group
            counts.created += 1
        elif _normalised(record_of(group)) == _normalised(record):
            counts.unchanged += 1
        else:
            _apply(group, record)
            counts.updated += 1
    return counts
