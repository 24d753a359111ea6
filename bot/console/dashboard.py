"""The dashboard: intakes per week by concern, by channel, and how many were contacted, as SVG charts.

The charts are drawn on the server as inline SVG (no JavaScript), each with a
title, a description and a table of the same numbers for screen readers and
for anyone who prefers figures.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Dict, Iterable, List, Mapping, Sequence, Tuple

import aiohttp_jinja2
import sqlalchemy as sa
from aiohttp import web
from sqlalchemy.orm import Session

from bot.console.clock import utcnow
from bot.console.errors import ConsoleError
from bot.console.storage import in_transaction
from bot.models import CONCERNS, IntakeRecord

routes = web.RouteTableDef()

DEFAULT_WEEKS = 12
MIN_WEEKS, MAX_WEEKS = 4, 52
NO_CONCERN = "not shared"
# Statuses that mean someone from staff has been in touch.
CONTACTED_STATUSES = ("contacted", "closed")
CHANNEL_NAMES = {
    "rest": "web chat (REST)", "socketio": "web widget", "telegram": "Telegram", "twilio": "SMS",
    "twilio_whatsapp": "WhatsApp", "facebook": "Messenger", "slack": "Slack", "": "unknown",
}
# Paul Tol's "muted" scheme (distinguishable with colour-blindness), then grey for "not shared"/"other".
PALETTE = ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933", "#DDCC77", "#CC6677", "#882255", "#AA4499")
NEUTRAL = "#BBBBBB"

# Chart geometry, in SVG user units (the SVG scales to the page width).
WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 44, 8, 12, 40


@dataclass(frozen=True)
class WeeklyCounts:
    """Counts per week (weeks start on Monday, UTC) for each series, in display order."""

    weeks: Tuple[dt.date, ...]
    series: Tuple[str, ...]
    counts: Mapping[str, Tuple[int, ...]]

    def totals(self) -> Tuple[int, ...]:
        return tuple(sum(self.counts[name][index] for name in self.series) for index in range(len(self.weeks)))


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    fill: str
    label: str  # shown as the bar's tooltip


@dataclass(frozen=True)
class Chart:
    """One stacked bar chart, ready to draw, with its accessible text and its numbers."""

    key: str
    title: str
    description: str
    bars: Tuple[Bar, ...]
    x_labels: Tuple[Tuple[float, str], ...]
    y_ticks: Tuple[Tuple[float, int], ...]
    legend: Tuple[Tuple[str, str], ...]
    data: WeeklyCounts
    width: int = WIDTH
    height: int = HEIGHT
    plot_left: int = LEFT
    plot_bottom: int = HEIGHT - BOTTOM


@dataclass(frozen=True)
class IntakeRow:
    """What the dashboard needs from one intake record."""

    created_at: dt.datetime
    concerns: Tuple[str, ...]
    channel: str
    review_status: str


def week_start(day: dt.date) -> dt.date:
    """The Monday of the week `day` falls in."""
    return day - dt.timedelta(days=day.weekday())


def dashboard_weeks(today: dt.date, weeks: int) -> Tuple[dt.date, ...]:
    """The Mondays of the last `weeks` weeks, this week last."""
    this_week = week_start(today)
    return tuple(this_week - dt.timedelta(weeks=back) for back in range(weeks - 1, -1, -1))


def load_intakes(session: Session, since: dt.date) -> List[IntakeRow]:
    """Every intake created on or after `since` (UTC), with only the fields the charts use."""
    query = sa.select(
        IntakeRecord.created_at, IntakeRecord.concerns, IntakeRecord.channel, IntakeRecord.review_status,
    ).where(IntakeRecord.created_at >= dt.datetime.combine(since, dt.time()))
    return [
        IntakeRow(row.created_at, tuple(row.concerns or ()), row.channel or "", row.review_status)
        for row in session.execute(query)
    ]


def _count(rows: Iterable[IntakeRow], weeks: Sequence[dt.date], keys_of) -> Dict[str, List[int]]:
    index = {week: position for position, week in enumerate(weeks)}
    counts: Dict[str, List[int]] = {}
    for row in rows:
        position = index.get(week_start(row.created_at.date()))
        if position is None:
            continue
        for key in keys_of(row):
            counts.setdefault(key, [0] * len(weeks))[position] += 1
    return counts


def _weekly(counts: Dict[str, List[int]], weeks: Sequence[dt.date], order: Sequence[str]) -> WeeklyCounts:
    present = [name for name in order if name in counts] + sorted(set(counts) - set(order))
    return WeeklyCounts(tuple(weeks), tuple(present), {name: tuple(counts[name]) for name in present})


def by_concern(rows: Sequence[IntakeRow], weeks: Sequence[dt.date]) -> WeeklyCounts:
    """Intakes per week and concern; an intake with two concerns counts once under each."""
    counts = _count(rows, weeks, lambda row: row.concerns or (NO_CONCERN,))
    return _weekly(counts, weeks, CONCERNS + (NO_CONCERN,))


def by_channel(rows: Sequence[IntakeRow], weeks: Sequence[dt.date]) -> WeeklyCounts:
    """Intakes per week and channel, busiest channel first."""
    counts = _count(rows, weeks, lambda row: (CHANNEL_NAMES.get(row.channel, row.channel),))
    busiest = sorted(counts, key=lambda name: (-sum(counts[name]), name))
    return _weekly(counts, weeks, busiest)


def by_contact(rows: Sequence[IntakeRow], weeks: Sequence[dt.date]) -> WeeklyCounts:
    """Intakes per week split into contacted (contacted or closed) and not yet contacted."""
    counts = _count(rows, weeks, lambda row: (
        "contacted" if row.review_status in CONTACTED_STATUSES else "not yet contacted",))
    for name in ("contacted", "not yet contacted"):
        counts.setdefault(name, [0] * len(weeks))
    return _weekly(counts, weeks, ("contacted", "not yet contacted"))


def _nice_ceiling(value: float) -> int:
    """The smallest of 1, 2, 5 × 10^n that is at least `value` (at least 1)."""
    if value <= 1:
        return 1
    magnitude = 10 ** int(math.floor(math.log10(value)))
    return next(step * magnitude for step in (1, 2, 5, 10) if step * magnitude >= value)


def _label(name: str) -> str:
    return name.replace("_", " ")


def _colours(series: Sequence[str]) -> Dict[str, str]:
    colours: Dict[str, str] = {}
    for position, name in enumerate(series):
        neutral = name in (NO_CONCERN, "unknown", "not yet contacted") or position >= len(PALETTE)
        colours[name] = NEUTRAL if neutral else PALETTE[position]
    return colours


def _description(data: WeeklyCounts, what: str) -> str:
    totals = data.totals()
    if not sum(totals):
        return f"No intakes in the {len(data.weeks)} weeks from {data.weeks[0]:%d %b %Y}."
    overall = {name: sum(data.counts[name]) for name in data.series}
    top = max(data.series, key=lambda name: overall[name])
    return (
        f"Stacked bars, one per week, for the {len(data.weeks)} weeks from {data.weeks[0]:%d %b %Y}: "
        f"{sum(totals)} intakes in all, busiest week {max(totals)}. "
        f"By {what}, the largest share is {_label(top)} ({overall[top]})."
    )


def stacked_chart(key: str, title: str, what: str, data: WeeklyCounts) -> Chart:
    """Lay out a stacked bar chart of `data`: one bar per week, one segment per series."""
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top_value = _nice_ceiling(max(data.totals(), default=0))
    scale = plot_height / top_value
    slot = plot_width / max(len(data.weeks), 1)
    colours = _colours(data.series)
    bars = []
    for index, week in enumerate(data.weeks):
        base = HEIGHT - BOTTOM
        for name in data.series:
            value = data.counts[name][index]
            if not value:
                continue
            height = value * scale
            base -= height
            bars.append(Bar(
                x=round(LEFT + index * slot + slot * 0.15, 2), y=round(base, 2), width=round(slot * 0.7, 2),
                height=round(height, 2), fill=colours[name],
                label=f"Week of {week:%d %b}: {_label(name)} {value}",
            ))
    every = max(1, math.ceil(len(data.weeks) / 12))  # at most 12 week labels
    x_labels = tuple(
        (round(LEFT + index * slot + slot / 2, 2), f"{week:%d %b}")
        for index, week in enumerate(data.weeks) if index % every == 0
    )
    tick = _nice_ceiling(top_value / 5)
    ticks = tuple((round(HEIGHT - BOTTOM - value * scale, 2), value) for value in range(0, top_value + 1, tick))
    legend = tuple((_label(name), colours[name]) for name in data.series)
    return Chart(key, title, _description(data, what), tuple(bars), x_labels, ticks, legend, data)


def dashboard_charts(rows: Sequence[IntakeRow], weeks: Sequence[dt.date]) -> Tuple[Chart, ...]:
    """The dashboard's three charts."""
    return (
        stacked_chart("concern", "Intakes per week by concern", "concern", by_concern(rows, weeks)),
        stacked_chart("channel", "Intakes per week by channel", "channel", by_channel(rows, weeks)),
        stacked_chart("contact", "Intakes per week: contacted or not yet", "follow-up", by_contact(rows, weeks)),
    )


def parse_weeks(raw: str) -> int:
    """The number of weeks to show, from the query string; ConsoleError for anything else."""
    text = raw.strip() or str(DEFAULT_WEEKS)
    if not text.isdigit() or not MIN_WEEKS <= int(text) <= MAX_WEEKS:
        raise ConsoleError(400, f"The number of weeks must be a whole number from {MIN_WEEKS} to {MAX_WEEKS}.")
    return int(text)


@routes.get("/dashboard", name="dashboard")
async def dashboard(request: web.Request) -> web.Response:
    """The charts for the last N weeks (aggregates only: nothing personal, so not audited)."""
    weeks = dashboard_weeks(utcnow().date(), parse_weeks(request.query.get("weeks", "")))
    rows = await in_transaction(request, lambda session: load_intakes(session, weeks[0]))
    context = {
        "charts": dashboard_charts(rows, weeks), "weeks": len(weeks), "first_week": weeks[0],
        "total": len(rows),
        "min_weeks": MIN_WEEKS, "max_weeks": MAX_WEEKS,
    }
    return aiohttp_jinja2.render_template("dashboard_page.html", request, context)
