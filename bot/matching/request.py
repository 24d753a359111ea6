"""What a person asks for, checked against the contract's canonical values."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Optional, Tuple

from bot.models import ACCESSIBILITY, AUDIENCES, CONCERNS, LEADERS, WEEKDAYS

FORMAT_PREFERENCES = ("in_person", "online", "either")
LEADER_PREFERENCES = LEADERS + ("either",)
DAY_VALUES = WEEKDAYS + ("weekday", "weekend")
TIMES_OF_DAY = ("morning", "afternoon", "evening")
_LANGUAGE = re.compile(r"^[a-z]{2}$")


class RequestError(ValueError):
    """A request value outside the canonical set, explained in plain words."""


def _one_of(name: str, value: Optional[str], allowed: Iterable[str]) -> Optional[str]:
    if value is None:
        return None
    allowed = tuple(allowed)
    if value not in allowed:
        raise RequestError(f"unknown {name} {value!r}: use one of {', '.join(allowed)}")
    return value


@dataclass(frozen=True)
class MatchRequest:
    """A request for groups; only `concern` is required."""

    concern: str
    format: Optional[str] = None
    days: Tuple[str, ...] = ()
    time_of_day: Optional[str] = None
    language: Optional[str] = None
    accessibility: Tuple[str, ...] = ()
    leader: Optional[str] = None
    observe_first: bool = False
    location: Optional[str] = None
    audience: Tuple[str, ...] = ()
    anxious: bool = False
    limit: int = 3
    offset: int = 0

    def __post_init__(self) -> None:
        _one_of("concern", self.concern, CONCERNS)
        _one_of("format", self.format, FORMAT_PREFERENCES)
        _one_of("leader", self.leader, LEADER_PREFERENCES)
        _one_of("time of day", self.time_of_day, TIMES_OF_DAY)
        for day in self.days:
            _one_of("day", day, DAY_VALUES)
        for need in self.accessibility:
            _one_of("accessibility need", need, ACCESSIBILITY)
        for audience in self.audience:
            _one_of("audience", audience, AUDIENCES)
        if self.language is not None and not _LANGUAGE.match(self.language):
            raise RequestError(f"unknown language {self.language!r}: use a two-letter code such as en or es")
        if self.limit < 1 or self.offset < 0:
            raise RequestError("limit must be at least 1 and offset at least 0")

    @property
    def weekdays(self) -> frozenset:
        """The wanted days as numbers, 0 = Monday … 6 = Sunday."""
        numbers = set()
        for day in self.days:
            if day == "weekday":
                numbers.update(range(5))
            elif day == "weekend":
                numbers.update((5, 6))
            else:
                numbers.add(WEEKDAYS.index(day))
        return frozenset(numbers)

    @property
    def eligible_audiences(self) -> frozenset:
        """Audiences this person belongs to; someone asking for a loved one is a family member."""
        audiences = set(self.audience)
        if self.concern == "family_support":
            audiences.add("family_members")
        return frozenset(audiences)
