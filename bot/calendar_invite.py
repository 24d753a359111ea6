"""A calendar invite (.ics) for a group's next meeting, in the group's own time zone."""
from __future__ import annotations

import datetime as dt
from typing import Tuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar import Calendar, Event

from bot.matching.catalog_view import GroupView, MeetingView

DEFAULT_LENGTH = dt.timedelta(minutes=90)
UID_DOMAIN = "intake.example.org"
PRODID = "-//Support group intake assistant//EN"
_BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _zone(group: GroupView) -> ZoneInfo:
    try:
        return ZoneInfo(group.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"group {group.slug!r} has an unknown time zone {group.timezone!r}") from error


def _as_utc(moment: dt.datetime) -> dt.datetime:
    """`moment` in UTC; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc)


def _next(group: GroupView, now: dt.datetime) -> Tuple[dt.datetime, MeetingView]:
    """The earliest meeting start strictly after `now`, local to the group, and its meeting."""
    if not group.meetings:
        raise ValueError(f"group {group.slug!r} has no meetings")
    zone, after = _zone(group), _as_utc(now)
    today = after.astimezone(zone).date()
    candidates = []
    for meeting in group.meetings:
        for offset in range(8):  # today … a week today covers every weekday once more
            day = today + dt.timedelta(days=offset)
            if day.weekday() != meeting.weekday:
                continue
            start = dt.datetime.combine(day, meeting.start, tzinfo=zone)
            if _as_utc(start) > after:
                candidates.append((_as_utc(start), start, meeting))
                break
    _, start, meeting = min(candidates, key=lambda candidate: candidate[0])
    return start, meeting


def next_meeting_start(group: GroupView, now: dt.datetime) -> dt.datetime:
    """When the group next meets after `now`, as an aware datetime in the group's time zone."""
    return _next(group, now)[0]


def _end(start: dt.datetime, meeting: MeetingView) -> dt.datetime:
    """The meeting's end on the same wall clock; past midnight means the next day."""
    if meeting.end is None:
        length = DEFAULT_LENGTH
    else:
        length = dt.datetime.combine(start.date(), meeting.end) - dt.datetime.combine(start.date(), meeting.start)
        if length <= dt.timedelta(0):
            length += dt.timedelta(days=1)
    wall_clock_end = dt.datetime.combine(start.date(), meeting.start) + length
    return wall_clock_end.replace(tzinfo=start.tzinfo)


def _location(group: GroupView) -> str:
    if group.format == "online":
        return "Online"
    place = ", ".join(part for part in (group.address, group.city) if part) or "In person"
    return f"{place} or online" if group.format == "hybrid" else place


def _description(group: GroupView) -> str:
    """How to get there or join; only the group's own details, nothing about the person."""
    lines = []
    if group.format in ("online", "hybrid"):
        lines.append(group.online_instructions or "An online meeting: the group will share how to join.")
    if group.format in ("in_person", "hybrid"):
        lines.append(f"Address: {group.address}" if group.address else f"In person in {group.city}.")
    if group.observers_welcome:
        lines.append("You're welcome to just listen.")
    if group.contact:
        lines.append(f"Questions? Contact the group: {group.contact}")
    return "\n".join(lines)


def next_meeting_ics(group: GroupView, now: dt.datetime) -> bytes:
    """An iCalendar file for the group's next meeting after `now`, repeating weekly.

    Raises ValueError when the group has no meetings or an unknown time zone.
    """
    start, meeting = _next(group, now)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{group.slug}-{start.date().isoformat()}@{UID_DOMAIN}")
    event.add("dtstamp", _as_utc(now))
    event.add("summary", group.name)
    event.add("dtstart", start)
    event.add("dtend", _end(start, meeting))
    event.add("rrule", {"FREQ": "WEEKLY", "BYDAY": _BYDAY[meeting.weekday]})
    event.add("location", _location(group))
    event.add("description", _description(group))
    calendar.add_component(event)
    # VTIMEZONE transitions from a year before the meeting (clients know Olson names anyway).
    calendar.add_missing_timezones(
        first_date=start.date() - dt.timedelta(days=366),
        last_date=max(dt.date(2038, 1, 1), start.date() + dt.timedelta(days=3 * 366)),
    )
    return calendar.to_ical()
