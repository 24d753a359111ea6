"""Next-meeting times in the group's time zone, and the .ics built from them."""
from __future__ import annotations

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.calendar_invite import next_meeting_ics, next_meeting_start
from bot.matching.catalog_view import GroupView, MeetingView

LONDON = ZoneInfo("Europe/London")
UTC = dt.timezone.utc
TUESDAY = 1


def _group(**changes) -> GroupView:
    base = GroupView(
        id=1, slug="evening-light", name="Evening Light Bereavement Group", description="",
        concerns=frozenset({"bereavement"}), leader="peer", approach="discussion", format="in_person",
        meetings=(MeetingView(TUESDAY, dt.time(19, 0), dt.time(20, 30)),), timezone="Europe/London", address="",
        city="Leeds", country="GB", latitude=None, longitude=None, languages=frozenset({"en"}),
        accessibility=frozenset(), audience=frozenset(), observers_welcome=True, newcomers_welcome=True,
        typical_size=10, cost="free", contact="info@eveninglight.example.org",
    )
    return dataclasses.replace(base, **changes)


def _local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


@pytest.mark.parametrize("now, expected", [
    (_local(2026, 1, 7, 12, 0), _local(2026, 1, 13, 19, 0)),     # Wednesday → next Tuesday
    (_local(2026, 1, 13, 18, 0), _local(2026, 1, 13, 19, 0)),    # Tuesday before → the same day
    (_local(2026, 1, 13, 19, 30), _local(2026, 1, 20, 19, 0)),   # Tuesday after → a week later
    (_local(2026, 1, 13, 19, 0), _local(2026, 1, 20, 19, 0)),    # at the start → the next one
    (_local(2026, 1, 11, 23, 59), _local(2026, 1, 13, 19, 0)),   # Sunday night
])
def test_next_tuesday_evening(now, expected):
    start = next_meeting_start(_group(), now)
    assert start == expected
    assert start.tzinfo is not None and start.utcoffset() == dt.timedelta(0)
    assert (start.weekday(), start.hour, start.minute) == (TUESDAY, 19, 0)


def test_the_clocks_going_forward_keep_seven_pm_local():
    # BST starts on Sunday 29 March 2026: asked on the Wednesday before, still GMT.
    start = next_meeting_start(_group(), dt.datetime(2026, 3, 25, 12, 0, tzinfo=UTC))
    assert (start.date(), start.hour, start.minute) == (dt.date(2026, 3, 31), 19, 0)
    assert start.utcoffset() == dt.timedelta(hours=1)
    assert start.astimezone(UTC) == dt.datetime(2026, 3, 31, 18, 0, tzinfo=UTC)


def test_the_clocks_going_back_keep_seven_pm_local():
    start = next_meeting_start(_group(), dt.datetime(2026, 10, 22, 12, 0, tzinfo=UTC))
    assert start.astimezone(UTC) == dt.datetime(2026, 10, 27, 19, 0, tzinfo=UTC)
    assert start.hour == 19


def test_now_in_another_zone_is_compared_as_an_instant():
    # 13:30 in New York on Tuesday 13 January is 18:30 in London: tonight's meeting is still ahead.
    new_york = dt.datetime(2026, 1, 13, 13, 30, tzinfo=ZoneInfo("America/New_York"))
    assert next_meeting_start(_group(), new_york) == _local(2026, 1, 13, 19, 0)
    # 14:30 there is 19:30 in London: next week.
    assert next_meeting_start(_group(), new_york + dt.timedelta(hours=1)) == _local(2026, 1, 20, 19, 0)


def test_a_naive_now_is_utc():
    assert next_meeting_start(_group(), dt.datetime(2026, 1, 13, 18, 59)) == _local(2026, 1, 13, 19, 0)


def test_the_earliest_of_several_meetings_wins():
    group = _group(meetings=(
        MeetingView(TUESDAY, dt.time(19, 0), None), MeetingView(5, dt.time(10, 0), None),
    ))
    assert next_meeting_start(group, _local(2026, 1, 14, 9, 0)) == _local(2026, 1, 17, 10, 0)
    assert next_meeting_start(group, _local(2026, 1, 17, 11, 0)) == _local(2026, 1, 20, 19, 0)


def test_the_group_time_zone_is_used():
    group = _group(timezone="America/New_York")
    start = next_meeting_start(group, dt.datetime(2026, 1, 13, 23, 30, tzinfo=UTC))  # 18:30 in New York
    assert start == dt.datetime(2026, 1, 13, 19, 0, tzinfo=ZoneInfo("America/New_York"))


@pytest.mark.parametrize("changes", [{"meetings": ()}, {"timezone": "Mars/Olympus_Mons"}])
def test_no_meetings_or_an_unknown_zone_is_a_value_error(changes):
    with pytest.raises(ValueError):
        next_meeting_start(_group(**changes), _local(2026, 1, 7, 12, 0))
    with pytest.raises(ValueError):
        next_meeting_ics(_group(**changes), _local(2026, 1, 7, 12, 0))


# --- the .ics --------------------------------------------------------------------

def _event(ics: bytes):
    calendar = Calendar.from_ical(ics)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def test_ics_fields_round_trip():
    calendar, event = _event(next_meeting_ics(_group(), dt.datetime(2026, 3, 25, 12, 0, tzinfo=UTC)))
    assert str(calendar["VERSION"]) == "2.0" and "PRODID" in calendar
    assert str(event["SUMMARY"]) == "Evening Light Bereavement Group"
    assert str(event["UID"]) == "evening-light-2026-03-31@intake.example.org"
    start, end = event["DTSTART"], event["DTEND"]
    assert start.params["TZID"] == "Europe/London" and end.params["TZID"] == "Europe/London"
    assert start.dt == _local(2026, 3, 31, 19, 0) and start.dt.utcoffset() == dt.timedelta(hours=1)
    assert end.dt == _local(2026, 3, 31, 20, 30)
    assert event["RRULE"]["FREQ"] == ["WEEKLY"] and event["RRULE"]["BYDAY"] == ["TU"]
    assert str(event["LOCATION"]) == "Leeds"
    description = str(event["DESCRIPTION"])
    assert "Leeds" in description and "info@eveninglight.example.org" in description
    assert "DTSTAMP" in event
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]


def test_the_uid_is_stable_for_the_same_meeting():
    group = _group()
    first = _event(next_meeting_ics(group, _local(2026, 1, 7, 12, 0)))[1]
    again = _event(next_meeting_ics(group, _local(2026, 1, 12, 8, 0)))[1]
    assert str(first["UID"]) == str(again["UID"]) == "evening-light-2026-01-13@intake.example.org"


def test_an_online_group_without_an_end_lasts_ninety_minutes():
    group = _group(format="online", meetings=(MeetingView(TUESDAY, dt.time(19, 0), None),))
    _, event = _event(next_meeting_ics(group, _local(2026, 1, 7, 12, 0)))
    assert str(event["LOCATION"]) == "Online"
    assert event["DTEND"].dt - event["DTSTART"].dt == dt.timedelta(minutes=90)
    assert "online" in str(event["DESCRIPTION"]).lower()


def test_a_meeting_past_midnight_ends_the_next_day():
    group = _group(meetings=(MeetingView(TUESDAY, dt.time(23, 0), dt.time(0, 30)),))
    _, event = _event(next_meeting_ics(group, _local(2026, 1, 7, 12, 0)))
    assert event["DTEND"].dt == _local(2026, 1, 14, 0, 30)


def test_a_hybrid_group_says_both():
    _, event = _event(next_meeting_ics(_group(format="hybrid"), _local(2026, 1, 7, 12, 0)))
    assert str(event["LOCATION"]) == "Leeds or online"
