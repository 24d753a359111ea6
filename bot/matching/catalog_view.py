"""An in-memory, read-only view of the active catalog, fast to rank against."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.models import Group


@dataclass(frozen=True)
class MeetingView:
    weekday: int
    start: dt.time
    end: Optional[dt.time]

    @property
    def time_of_day(self) -> str:
        if self.start.hour < 12:
            return "morning"
        return "afternoon" if self.start.hour < 17 else "evening"


@dataclass(frozen=True)
class GroupView:
    """The fields matching needs, as plain immutable values."""

    id: int
    slug: str
    name: str
    description: str
    concerns: frozenset
    leader: str
    approach: str
    format: str
    meetings: Tuple[MeetingView, ...]
    timezone: str
    address: str
    city: str
    country: str
    latitude: Optional[float]
    longitude: Optional[float]
    languages: frozenset
    accessibility: frozenset
    audience: frozenset
    observers_welcome: bool
    newcomers_welcome: bool
    typical_size: Optional[int]
    cost: str
    contact: str
    online_instructions: str = ""

    @classmethod
    def of(cls, group: Group) -> "GroupView":
        return cls(
            id=group.id, slug=group.slug, name=group.name, description=group.description,
            concerns=frozenset(group.concerns), leader=group.leader, approach=group.approach,
            format=group.format,
            meetings=tuple(MeetingView(m.weekday, m.start_time, m.end_time) for m in group.meetings),
            timezone=group.timezone, address=group.address, city=group.city, country=group.country,
            latitude=group.latitude, longitude=group.longitude,
            languages=frozenset(group.languages), accessibility=frozenset(group.accessibility),
            audience=frozenset(group.audience), observers_welcome=group.observers_welcome,
            newcomers_welcome=group.newcomers_welcome, typical_size=group.typical_size,
            cost=group.cost, contact=group.contact, online_instructions=group.online_instructions,
        )


@dataclass(frozen=True)
class CatalogView:
    """Active groups indexed by concern."""

    by_concern: Dict[str, Tuple[GroupView, ...]]

    @classmethod
    def load(cls, session: Session) -> "CatalogView":
        index = defaultdict(list)
        for group in session.scalars(sa.select(Group).where(Group.active.is_(True)).order_by(Group.id)):
            view = GroupView.of(group)
            for concern in view.concerns:
                index[concern].append(view)
        return cls({concern: tuple(groups) for concern, groups in index.items()})

    def for_concern(self, concern: str) -> Tuple[GroupView, ...]:
        return self.by_concern.get(concern, ())

    def group(self, slug: str) -> Optional[GroupView]:
        """The active group with this slug, if any."""
        return next((g for groups in self.by_concern.values() for g in groups if g.slug == slug), None)
