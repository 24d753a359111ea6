"""When staff are available for a live chat: parsed from INTAKE_OPENING_HOURS.

The format is one or more day/time rules separated by ";", then an IANA time
zone: "mon-fri 09:00-17:00 Europe/London" or
"mon,wed 09:00-13:00; thu 14:00-20:00 America/New_York". Days are the
three-letter codes mon … sun, single, as ranges (mon-fri) or as lists (sat,sun);
times are 24-hour HH:MM, the end after the start (24:00 allowed), the end
itself outside the hours. "closed" means no live chat at any time.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Optional, Tuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_OPENING_HOURS = "mon-fri 09:00-17:00 Europe/London"
CLOSED = "closed"
DAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_TIME = re.compile(r"^(\d{2}):(\d{2})$")
_END_OF_DAY = dt.timedelta(hours=24)


class OpeningHoursError(ValueError):
    """Opening hours that cannot be understood, with what is wrong in plain words."""


@dataclass(frozen=True)
class Span:
    """Open on `weekday` (0 = Monday) from `start` until just before `end` (offsets from midnight)."""

    weekday: int
    start: dt.timedelta
    end: dt.timedelta


def _offset(raw: str) -> dt.timedelta:
    match = _TIME.match(raw)
    if not match:
        raise OpeningHoursError(f"the time {raw!r} must look like 09:00")
    hours, minutes = int(match[1]), int(match[2])
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise OpeningHoursError(f"the time {raw!r} is not a time of day")
    return dt.timedelta(hours=hours, minutes=minutes)


def _day(raw: str) -> int:
    if raw not in DAY_CODES:
        raise OpeningHoursError(f"the day {raw!r} must be one of {', '.join(DAY_CODES)}")
    return DAY_CODES.index(raw)


def _days(raw: str) -> Tuple[int, ...]:
    days = []
    for part in raw.split(","):
        first, dash, last = part.partition("-")
        start = _day(first)
        end = _day(last) if dash else start
        if end < start:
            raise OpeningHoursError(f"the days {part!r} run backwards; write them Monday first, like mon-fri")
        days.extend(range(start, end + 1))
    return tuple(days)


def _spans(rule: str) -> Tuple[Span, ...]:
    words = rule.split()
    if len(words) != 2:
        raise OpeningHoursError(f"{rule!r} must be days then hours, like 'mon-fri 09:00-17:00'")
    days, hours = words
    first, dash, last = hours.partition("-")
    if not dash:
        raise OpeningHoursError(f"the hours {hours!r} must be a start and an end, like 09:00-17:00")
    start, end = _offset(first), _offset(last)
    if end <= start:
        raise OpeningHoursError(f"the hours {hours!r} end before they start (hours past midnight are not supported)")
    if start == _END_OF_DAY:
        raise OpeningHoursError(f"the hours {hours!r} start at the end of the day")
    return tuple(Span(day, start, end) for day in _days(days.lower()))


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise OpeningHoursError(f"{name!r} is not a time zone; end with one like Europe/London") from None


@dataclass(frozen=True)
class OpeningHours:
    """Weekly opening hours in one time zone; no spans means always closed."""

    spans: Tuple[Span, ...]
    zone: ZoneInfo
    text: str = field(default=CLOSED, compare=False)  # as written in INTAKE_OPENING_HOURS

    @classmethod
    def parse(cls, text: str) -> "OpeningHours":
        """Parse the INTAKE_OPENING_HOURS format (see the module docstring)."""
        text = text.strip()
        if text.lower() == CLOSED:
            return cls((), ZoneInfo("UTC"), CLOSED)
        rules, _, zone = text.rpartition(" ")
        if not rules.strip():
            raise OpeningHoursError(
                f"{text!r} must be days, hours and a time zone, like {DEFAULT_OPENING_HOURS!r}, or 'closed'"
            )
        zone_info = _zone(zone)
        spans = tuple(span for rule in rules.split(";") for span in _spans(rule.strip()))
        return cls(tuple(sorted(spans, key=lambda s: (s.weekday, s.start))), zone_info, " ".join(text.split()))

    def _local(self, moment: dt.datetime) -> dt.datetime:
        if moment.tzinfo is None:
            raise ValueError("opening hours need an aware datetime")
        return moment.astimezone(self.zone)

    def is_open(self, moment: dt.datetime) -> bool:
        """True when `moment` (an aware datetime) falls within the hours."""
        local = self._local(moment)
        since_midnight = local - local.replace(hour=0, minute=0, second=0, microsecond=0)
        return any(
            span.weekday == local.weekday() and span.start <= since_midnight < span.end for span in self.spans
        )

    def next_opening(self, moment: dt.datetime) -> Optional[dt.datetime]:
        """The next time the hours start after `moment`, in the hours' time zone; None if never."""
        local = self._local(moment)
        for days_ahead in range(8):
            date = local.date() + dt.timedelta(days=days_ahead)
            midnight = dt.datetime.combine(date, dt.time(), tzinfo=self.zone)
            for span in self.spans:
                if span.weekday == date.weekday():
                    opening = midnight + span.start  # wall-clock arithmetic in the zone
                    if opening > local:
                        return opening
        return None

    def describe_next_opening(self, moment: dt.datetime) -> Optional[str]:
        """"today at 09:00", "tomorrow at 09:00" or "on Monday at 09:00", with the zone; None if never."""
        opening = self.next_opening(moment)
        if opening is None:
            return None
        days_ahead = (opening.date() - self._local(moment).date()).days
        day = {0: "today", 1: "tomorrow"}.get(days_ahead, f"on {DAY_NAMES[opening.weekday()]}")
        return f"{day} at {opening:%H:%M} ({self.zone.key} time)"
