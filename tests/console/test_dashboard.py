"""The dashboard: weekly counts from real intake records, the SVG charts and their table fallback."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from bot.console.clock import utcnow
from bot.console.dashboard import (
    HEIGHT, BOTTOM, IntakeRow, by_channel, by_concern, by_contact, dashboard_weeks, load_intakes, stacked_chart,
    week_start,
)
from bot.models import IntakeRecord

MONDAY = dt.date(2026, 11, 16)
WEEKS = dashboard_weeks(MONDAY + dt.timedelta(days=9), 3)  # the weeks of 9, 16 and 23 November


def row(day: dt.date, concerns=("alcohol",), channel="socketio", status="new", hour=12) -> IntakeRow:
    return IntakeRow(dt.datetime.combine(day, dt.time(hour)), tuple(concerns), channel, status)


def test_weeks_start_on_monday_and_end_with_this_week():
    assert WEEKS == (dt.date(2026, 11, 9), dt.date(2026, 11, 16), dt.date(2026, 11, 23))
    assert week_start(dt.date(2026, 11, 22)) == dt.date(2026, 11, 16)  # a Sunday
    assert week_start(MONDAY) == MONDAY


def test_intakes_are_counted_per_week_and_concern():
    rows = [
        row(dt.date(2026, 11, 15), hour=23),            # Sunday night: the week of the 9th
        row(MONDAY, hour=0),                            # Monday just after midnight: the week of the 16th
        row(MONDAY, ("alcohol", "anxiety")),            # counts once under each concern
        row(MONDAY, ()),                                # a crisis-only record: no concern shared
        row(dt.date(2026, 11, 2)),                      # before the first week: not shown
    ]
    counts = by_concern(rows, WEEKS)
    assert counts.series == ("alcohol", "anxiety", "not shared")  # the contract's order, then "not shared"
    assert counts.counts == {"alcohol": (1, 2, 0), "anxiety": (0, 1, 0), "not shared": (0, 1, 0)}


def test_channels_are_named_for_people_and_the_busiest_comes_first():
    rows = [row(MONDAY, channel="rest"), row(MONDAY, channel="telegram"), row(MONDAY, channel="telegram"),
            row(MONDAY, channel="")]
    counts = by_channel(rows, WEEKS)
    assert counts.series == ("Telegram", "unknown", "web chat (REST)")
    assert counts.counts["Telegram"] == (0, 2, 0)


def test_contacted_counts_contacted_and_closed_intakes():
    statuses = ("new", "in_review", "contacted", "closed")
    counts = by_contact([row(MONDAY, status=status) for status in statuses], WEEKS)
    assert counts.counts == {"contacted": (0, 2, 0), "not yet contacted": (0, 2, 0)}
    assert counts.totals() == (0, 4, 0)


def test_bars_stack_to_each_week_total_on_a_shared_scale():
    chart = stacked_chart("concern", "By concern", "concern", by_concern(
        [row(MONDAY), row(MONDAY), row(MONDAY, ("trauma",)), row(dt.date(2026, 11, 24))], WEEKS))
    base = HEIGHT - BOTTOM
    heights = {}
    for bar in chart.bars:
        heights.setdefault(bar.x, []).append(bar)
    [week_16, week_23] = [heights[x] for x in sorted(heights)]
    assert sum(b.height for b in week_16) == pytest.approx(3 * sum(b.height for b in week_23))
    assert max(b.y + b.height for b in chart.bars) == pytest.approx(base)  # bars stand on the axis
    assert [value for _y, value in chart.y_ticks] == [0, 1, 2, 3, 4, 5]  # 3 rounds up to a tick scale of 5
    assert "Week of 16 Nov: trauma 1" in {b.label for b in chart.bars}
    assert "4 intakes in all, busiest week 3" in chart.description and "alcohol (3)" in chart.description


def test_an_empty_period_says_so():
    chart = stacked_chart("channel", "By channel", "channel", by_channel([], WEEKS))
    assert chart.bars == () and chart.description == "No intakes in the 3 weeks from 09 Nov 2026."


def add_intakes(database, *records):
    with database.sessions() as session, session.begin():
        session.add_all(records)


def test_only_intakes_from_the_first_week_on_are_read(database):
    add_intakes(database,
                IntakeRecord(sender_id="a", channel="rest", concerns=["gambling"], created_at=dt.datetime(2026, 11, 9)),
                IntakeRecord(sender_id="b", channel="rest", concerns=["gambling"], created_at=dt.datetime(2026, 11, 8, 23)))
    with database.sessions() as session:
        rows = load_intakes(session, dt.date(2026, 11, 9))
    assert rows == [IntakeRow(dt.datetime(2026, 11, 9), ("gambling",), "rest", "new")]


def test_the_page_draws_three_accessible_charts_with_the_numbers_in_tables(reviewer, console):
    this_week = week_start(utcnow().date())
    at = dt.datetime.combine(this_week, dt.time(9))
    add_intakes(console.database,
                IntakeRecord(sender_id="d1", channel="telegram", concerns=["bereavement"], created_at=at,
                             review_status="contacted"),
                IntakeRecord(sender_id="d2", channel="telegram", concerns=["bereavement"], created_at=at),
                IntakeRecord(sender_id="d3", channel="rest", concerns=["<script>x</script>"], created_at=at))
    page = reviewer.get("/dashboard?weeks=4")
    assert page.status_code == 200
    svgs = re.findall(r'<svg viewBox="[^"]+" width="100%" role="img"\s+aria-labelledby="(\w+)-title \1-desc"', page.text)
    assert svgs == ["concern", "channel", "contact"]
    for key in svgs:
        assert f'<title id="{key}-title">' in page.text and f'<desc id="{key}-desc">' in page.text
    assert "3 intakes in the 4 weeks" in page.text
    assert "Week of " + this_week.strftime("%d %b") + ": bereavement 2" in page.text
    row_of_this_week = page.text.split(f'<time datetime="{this_week.isoformat()}">')[1].split("</tr>")[0]
    assert re.findall(r"<td>(\d+)</td>", row_of_this_week) == ["2", "1", "3"]  # bereavement, the odd one, total
    assert "&lt;script&gt;x&lt;/script&gt;" in page.text and "<script>x" not in page.text


@pytest.mark.parametrize("weeks", ["3", "53", "twelve", "-4"])
def test_a_bad_number_of_weeks_is_explained(reviewer, weeks):
    page = reviewer.get(f"/dashboard?weeks={weeks}")
    assert page.status_code == 400
    assert "The number of weeks must be a whole number from 4 to 52." in page.text
