"""Opening hours for the live hand-off, with an injected clock."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.opening_hours import DEFAULT_OPENING_HOURS, OpeningHours, OpeningHoursError
from bot.settings import Settings, SettingsError

LONDON = ZoneInfo("Europe/London")
UTC = dt.timezone.utc


def london(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


WEEKDAYS = OpeningHours.parse(DEFAULT_OPENING_HOURS)


@pytest.mark.parametrize("moment, is_open", [
    (london(2026, 11, 23, 9, 0), True),      # Monday, the first minute
    (london(2026, 11, 23, 16, 59), True),
    (london(2026, 11, 23, 17, 0), False),    # the end is outside the hours
    (london(2026, 11, 23, 8, 59), False),
    (london(2026, 11, 27, 12, 0), True),     # Friday
    (london(2026, 11, 28, 12, 0), False),    # Saturday
])
def test_weekday_office_hours(moment, is_open):
    assert WEEKDAYS.is_open(moment) is is_open


def test_hours_are_read_in_their_own_time_zone():
    # 08:30 in New York is 13:30 in London: open. 18:00 in New York is 23:00 in London: closed.
    new_york = ZoneInfo("America/New_York")
    assert WEEKDAYS.is_open(dt.datetime(2026, 11, 23, 8, 30, tzinfo=new_york))
    assert not WEEKDAYS.is_open(dt.datetime(2026, 11, 23, 18, 0, tzinfo=new_york))


def test_summer_time_moves_the_hours_in_utc():
    # In July London is UTC+1: 08:30 UTC is 09:30 local (open); in January it is 08:30 local (closed).
    assert WEEKDAYS.is_open(dt.datetime(2026, 7, 6, 8, 30, tzinfo=UTC))
    assert not WEEKDAYS.is_open(dt.datetime(2026, 1, 5, 8, 30, tzinfo=UTC))


def test_several_rules_and_day_lists():
    hours = OpeningHours.parse("mon,wed 09:00-13:00; sat-sun 10:00-12:00 America/New_York")
    new_york = ZoneInfo("America/New_York")
    assert hours.is_open(dt.datetime(2026, 11, 25, 12, 0, tzinfo=new_york))      # Wednesday
    assert not hours.is_open(dt.datetime(2026, 11, 24, 12, 0, tzinfo=new_york))  # Tuesday
    assert hours.is_open(dt.datetime(2026, 11, 29, 11, 0, tzinfo=new_york))      # Sunday


def test_a_whole_day_ends_at_midnight():
    hours = OpeningHours.parse("mon-sun 00:00-24:00 UTC")
    assert hours.is_open(dt.datetime(2026, 11, 28, 23, 59, tzinfo=UTC))
    assert hours.is_open(dt.datetime(2026, 11, 29, 0, 0, tzinfo=UTC))


@pytest.mark.parametrize("moment, expected", [
    (london(2026, 11, 23, 7, 30), "today at 09:00 (Europe/London time)"),
    (london(2026, 11, 23, 18, 0), "tomorrow at 09:00 (Europe/London time)"),
    (london(2026, 11, 27, 17, 30), "on Monday at 09:00 (Europe/London time)"),   # Friday evening
    (london(2026, 11, 28, 10, 0), "on Monday at 09:00 (Europe/London time)"),    # Saturday
])
def test_the_next_opening_is_described_in_words(moment, expected):
    assert WEEKDAYS.describe_next_opening(moment) == expected


def test_the_next_opening_a_week_later_when_today_has_passed():
    hours = OpeningHours.parse("wed 10:00-11:00 Europe/London")
    assert hours.next_opening(london(2026, 11, 25, 12, 0)) == london(2026, 12, 2, 10, 0)


def test_the_next_opening_is_in_the_hours_time_zone():
    opening = WEEKDAYS.next_opening(dt.datetime(2026, 11, 27, 22, 0, tzinfo=UTC))  # Friday night
    assert opening == london(2026, 11, 30, 9, 0) and opening.tzinfo == LONDON


def test_closed_means_never_open_and_no_next_opening():
    hours = OpeningHours.parse("closed")
    assert not hours.is_open(london(2026, 11, 23, 12, 0))
    assert hours.describe_next_opening(london(2026, 11, 23, 12, 0)) is None


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="aware"):
        WEEKDAYS.is_open(dt.datetime(2026, 11, 23, 12, 0))


@pytest.mark.parametrize("text, reason", [
    ("mon-fri 09:00-17:00", "is not a time zone"),
    ("mon-fri 09:00-17:00 Mars/Olympus", "'Mars/Olympus' is not a time zone"),
    ("Europe/London", "must be days, hours and a time zone"),
    ("monday 09:00-17:00 Europe/London", "the day 'monday' must be one of mon, tue"),
    ("fri-mon 09:00-17:00 Europe/London", "run backwards"),
    ("mon-fri 9am-5pm Europe/London", "the time '9am' must look like 09:00"),
    ("mon-fri 09:00 Europe/London", "must be a start and an end"),
    ("mon-fri 17:00-09:00 Europe/London", "end before they start"),
    ("mon-fri 09:00-25:00 Europe/London", "'25:00' is not a time of day"),
    ("mon-fri 09:60-17:00 Europe/London", "'09:60' is not a time of day"),
    ("mon-fri 09:00-17:00; sat Europe/London", "must be days then hours"),
])
def test_bad_opening_hours_are_explained(text, reason):
    with pytest.raises(OpeningHoursError, match=reason.replace("(", r"\(")):
        OpeningHours.parse(text)


def test_settings_read_the_hours_and_default_to_weekday_office_hours():
    assert Settings.from_env({}).opening_hours == WEEKDAYS
    custom = Settings.from_env({"INTAKE_OPENING_HOURS": "sat 10:00-12:00 UTC"}).opening_hours
    assert custom.is_open(dt.datetime(2026, 11, 28, 11, 0, tzinfo=UTC))


def test_bad_hours_in_the_environment_stop_the_settings_with_the_variable_named():
    with pytest.raises(SettingsError, match="INTAKE_OPENING_HOURS: the time '9am'"):
        Settings.from_env({"INTAKE_OPENING_HOURS": "mon-fri 9am-5pm Europe/London"})
