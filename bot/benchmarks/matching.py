"""Matching benchmark: a synthetic catalog in a real SQLite database, then `rank` timed per request.

Everything runs through the production path: `Database(url)` creates the schema,
`upsert_groups` stores the catalog in one transaction, `Database.catalog()` builds
the in-memory view, and `bot.matching.rank` answers each request.
"""
from __future__ import annotations

import datetime as dt
import math
import random
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence

from bot.catalog.records import GroupRecord, MeetingTime
from bot.catalog.store import upsert_groups
from bot.database import Database
from bot.matching import MatchRequest, rank
from bot.matching import geo
from bot.matching.request import DAY_VALUES, FORMAT_PREFERENCES, LEADER_PREFERENCES, TIMES_OF_DAY
from bot.models import ACCESSIBILITY, APPROACHES, AUDIENCES, CONCERNS

DEFAULT_GROUPS = 10_000
DEFAULT_REQUESTS = 2_000
DEFAULT_SEED = 20240601
WARMUP_REQUESTS = 50
TARGET_P95_MS = 20.0


@dataclass(frozen=True)
class City:
    name: str
    country: str
    timezone: str
    latitude: float
    longitude: float
    postcode: str  # a sample postcode, stored on in-person groups
    weight: int  # relative share of the catalog


CITIES = (
    City("London", "GB", "Europe/London", 51.5072, -0.1276, "SE1 7PB", 20),
    City("Manchester", "GB", "Europe/London", 53.4808, -2.2426, "M1 2AB", 10),
    City("Leeds", "GB", "Europe/London", 53.8008, -1.5491, "LS1 4AP", 8),
    City("Birmingham", "GB", "Europe/London", 52.4862, -1.8904, "B1 1BB", 6),
    City("Glasgow", "GB", "Europe/London", 55.8642, -4.2518, "G1 1XQ", 4),
    City("New York", "US", "America/New_York", 40.7128, -74.0060, "10027", 16),
    City("Chicago", "US", "America/Chicago", 41.8781, -87.6298, "60614", 10),
    City("Toronto", "CA", "America/Toronto", 43.6532, -79.3832, "M5V 2T6", 8),
    City("Montreal", "CA", "America/Toronto", 45.5019, -73.5674, "H2X 1Y4", 4),
    City("Sydney", "AU", "Australia/Sydney", -33.8688, 151.2093, "2000", 8),
    City("Dublin", "IE", "Europe/Dublin", 53.3498, -6.2603, "D02 X285", 6),
)

# What people type as their location: city names, postcodes, filler words, one unknown place.
REQUEST_LOCATIONS = (
    "Leeds", "M1 2AB", "10027", "London", "SW1A 1AA", "near Manchester", "Chicago", "60614",
    "Toronto", "M5V 2T6", "Sydney", "2000", "New York", "Brooklyn", "Dublin", "D02 X285",
    "Birmingham", "LS6 3QW", "in Glasgow", "Montreal", "Bristol", "Atlantis Bay",
)

_CONCERN_WORDS = {
    "alcohol": "Sober Living", "drugs": "Recovery Circle", "gambling": "Gamblers Support",
    "bereavement": "Bereavement Café", "chronic_illness": "Living With Illness",
    "anxiety": "Anxiety Peer Group", "depression": "Depression Support", "trauma": "Trauma Recovery",
    "family_support": "Families Together",
}
_START_TIMES = (
    dt.time(7, 30), dt.time(9), dt.time(10, 30), dt.time(12), dt.time(13, 30), dt.time(15),
    dt.time(17, 30), dt.time(18), dt.time(18, 30), dt.time(19), dt.time(19, 30), dt.time(20),
)
_COSTS = ("free", "free", "free", "donation", "£3 contribution", "$5 suggested donation")


def _pick_city(rng: random.Random) -> City:
    return rng.choices(CITIES, weights=[c.weight for c in CITIES])[0]


def _meetings(rng: random.Random) -> tuple:
    slots = set()
    for _ in range(rng.choices((1, 2, 3), weights=(60, 30, 10))[0]):
        slots.add((rng.randrange(7), rng.choice(_START_TIMES)))
    meetings = []
    for weekday, start in sorted(slots):
        minutes = start.hour * 60 + start.minute + rng.choice((60, 90, 90, 120))
        end = dt.time(minutes // 60, minutes % 60) if minutes < 24 * 60 else None
        meetings.append(MeetingTime(weekday, start, end))
    return tuple(meetings)


def _languages(rng: random.Random, city: City) -> tuple:
    roll = rng.random()
    if city.name == "Montreal":
        return ("fr",) if roll < 0.5 else ("en", "fr")
    if roll < 0.84:
        return ("en",)
    if roll < 0.92:
        return ("es",)
    if roll < 0.96:
        return ("en", "es")
    return ("fr",)


def _accessibility(rng: random.Random, group_format: str) -> tuple:
    chances = {"wheelchair": 0.55, "hearing_loop": 0.2, "sign_language": 0.08,
               "captions": 0.45 if group_format != "in_person" else 0.03}
    if group_format == "online":
        chances["wheelchair"] = chances["hearing_loop"] = 0.0
    return tuple(need for need in ACCESSIBILITY if rng.random() < chances[need])


def generate_groups(count: int = DEFAULT_GROUPS, seed: int = DEFAULT_SEED) -> List[GroupRecord]:
    """`count` valid, varied catalog records; the same seed always gives the same records."""
    rng = random.Random(seed)
    records = []
    for number in range(1, count + 1):
        city = _pick_city(rng)
        concern = CONCERNS[(number - 1) % len(CONCERNS)]  # every concern, evenly
        concerns = (concern,)
        if rng.random() < 0.2:
            concerns += (rng.choice([c for c in CONCERNS if c != concern]),)
        group_format = rng.choices(("in_person", "online", "hybrid"), weights=(50, 28, 22))[0]
        leader = rng.choices(("peer", "professional"), weights=(60, 40))[0]
        located = group_format != "online"
        latitude = round(city.latitude + rng.gauss(0, 0.12), 5) if located else None
        longitude = round(city.longitude + rng.gauss(0, 0.18), 5) if located else None
        audience = (rng.choice(AUDIENCES),) if rng.random() < 0.15 else ()
        if audience and rng.random() < 0.2:
            audience += (rng.choice([a for a in AUDIENCES if a != audience[0]]),)
        slug = f"bench-{number:05d}-{concern.replace('_', '-')}"
        records.append(GroupRecord(
            slug=slug,
            name=f"{city.name} {_CONCERN_WORDS[concern]} #{number}",
            leader=leader,
            format=group_format,
            concerns=concerns,
            meetings=_meetings(rng),
            description=f"A {leader}-led {group_format.replace('_', '-')} group for {concern.replace('_', ' ')}.",
            approach=rng.choice(APPROACHES),
            timezone=city.timezone,
            address=f"{rng.randint(1, 400)} High Street" if located else "",
            city=city.name,
            postcode=city.postcode if located else "",
            country=city.country,
            latitude=latitude,
            longitude=longitude,
            online_instructions="A video link is sent after you get in touch." if group_format != "in_person" else "",
            languages=_languages(rng, city),
            accessibility=_accessibility(rng, group_format),
            audience=audience,
            observers_welcome=rng.random() < 0.8,
            newcomers_welcome=rng.random() < 0.9,
            typical_size=rng.randint(4, 30) if rng.random() < 0.9 else None,
            cost=rng.choice(_COSTS),
            contact=f"{slug}@groups.example.org",
            last_updated=dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(365)),
        ))
    return records


def generate_requests(count: int = DEFAULT_REQUESTS, seed: int = DEFAULT_SEED) -> List[MatchRequest]:
    """`count` varied requests: a concern always, each other preference only sometimes."""
    rng = random.Random(seed + 1)
    requests = []
    for _ in range(count):
        fields = {"concern": rng.choice(CONCERNS), "limit": 3}
        if rng.random() < 0.5:
            fields["format"] = rng.choice(FORMAT_PREFERENCES)
        if rng.random() < 0.4:
            fields["days"] = tuple(rng.sample(DAY_VALUES, rng.choice((1, 1, 2, 3))))
        if rng.random() < 0.4:
            fields["time_of_day"] = rng.choice(TIMES_OF_DAY)
        if rng.random() < 0.3:
            fields["language"] = rng.choices(("en", "es", "fr", "pl"), weights=(60, 25, 12, 3))[0]
        if rng.random() < 0.2:
            fields["accessibility"] = tuple(rng.sample(ACCESSIBILITY, rng.choice((1, 1, 2))))
        if rng.random() < 0.4:
            fields["leader"] = rng.choice(LEADER_PREFERENCES)
        if rng.random() < 0.35:
            fields["observe_first"] = True
        if rng.random() < 0.6:
            fields["location"] = rng.choice(REQUEST_LOCATIONS)
        if rng.random() < 0.1:
            fields["audience"] = (rng.choice(AUDIENCES),)
        if rng.random() < 0.3:
            fields["anxious"] = True
        requests.append(MatchRequest(**fields))
    return requests


@dataclass(frozen=True)
class MatchingFigures:
    """What one matching benchmark run measured; times in seconds, latencies in ms."""

    groups: int
    requests: int
    catalog_groups: int  # distinct groups in the loaded CatalogView
    insert_s: float
    catalog_load_s: float
    gazetteer_s: Optional[float]  # None when the gazetteer was already loaded in this process
    warmup_requests: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    empty_results: int  # requests that found no group (the notes explain why)

    @property
    def target_met(self) -> bool:
        return self.p95_ms <= TARGET_P95_MS


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of an ascending sequence."""
    if not sorted_values:
        raise ValueError("no values")
    index = max(0, math.ceil(pct / 100 * len(sorted_values)) - 1)
    return sorted_values[min(index, len(sorted_values) - 1)]


def _warm_gazetteer() -> Optional[float]:
    """Load the lazily built city and postcode tables; their one-off cost in seconds."""
    already = geo._cities.cache_info().currsize and geo._postcode_areas.cache_info().currsize
    started = time.perf_counter()
    for text in REQUEST_LOCATIONS:
        geo.locate(text)
    elapsed = time.perf_counter() - started
    return None if already else elapsed


def run(groups: int = DEFAULT_GROUPS, requests: int = DEFAULT_REQUESTS, seed: int = DEFAULT_SEED,
        directory: Optional[Path] = None) -> MatchingFigures:
    """Build the catalog in SQLite under `directory` (a temporary one if None) and time `rank`."""
    if directory is None:
        with tempfile.TemporaryDirectory(prefix="intake-bench-") as tmp:
            return run(groups, requests, seed, Path(tmp))
    records = generate_groups(groups, seed)
    workload = generate_requests(requests, seed)

    database = Database(f"sqlite:///{Path(directory) / 'bench.db'}")
    try:
        started = time.perf_counter()
        with database.sessions() as session, session.begin():
            upsert_groups(session, records)
        insert_s = time.perf_counter() - started

        database.forget_catalog()
        started = time.perf_counter()
        catalog = database.catalog()
        catalog_load_s = time.perf_counter() - started
        catalog_groups = len({group.id for groups in catalog.by_concern.values() for group in groups})

        gazetteer_s = _warm_gazetteer()
        warmup = generate_requests(WARMUP_REQUESTS, seed + 7)
        for request in warmup:
            rank(catalog, request)

        latencies, empty = [], 0
        clock = time.perf_counter
        for request in workload:
            started = clock()
            result = rank(catalog, request)
            latencies.append((clock() - started) * 1000.0)
            empty += not result.matches
    finally:
        database.engine.dispose()

    latencies.sort()
    return MatchingFigures(
        groups=groups, requests=requests, catalog_groups=catalog_groups, insert_s=insert_s, catalog_load_s=catalog_load_s,
        gazetteer_s=gazetteer_s, warmup_requests=len(warmup),
        p50_ms=percentile(latencies, 50), p95_ms=percentile(latencies, 95),
        p99_ms=percentile(latencies, 99), max_ms=latencies[-1],
        mean_ms=sum(latencies) / len(latencies), empty_results=empty,
    )


def report(figures: MatchingFigures) -> str:
    """The figures as a small plain-text table."""
    gazetteer = "already loaded" if figures.gazetteer_s is None else f"{figures.gazetteer_s * 1000:.0f} ms (one-off)"
    rows = (
        ("catalog size", f"{figures.groups} groups ({figures.catalog_groups} loaded)"),
        ("insert (upsert_groups, 1 tx)", f"{figures.insert_s * 1000:.0f} ms"),
        ("catalog load (CatalogView)", f"{figures.catalog_load_s * 1000:.0f} ms"),
        ("gazetteer warm-up", gazetteer),
        ("requests", f"{figures.requests} (+{figures.warmup_requests} warm-up), "
                     f"{figures.empty_results} with no match"),
        ("rank p50", f"{figures.p50_ms:.2f} ms"),
        ("rank p95", f"{figures.p95_ms:.2f} ms"),
        ("rank p99", f"{figures.p99_ms:.2f} ms"),
        ("rank max", f"{figures.max_ms:.2f} ms"),
        ("rank mean", f"{figures.mean_ms:.2f} ms"),
    )
    width = max(len(name) for name, _ in rows)
    lines = ["matching benchmark", "-" * (width + 24)]
    lines += [f"{name:<{width}}  {value}" for name, value in rows]
    lines.append(f"target p95 <= {TARGET_P95_MS:.0f} ms: {'met' if figures.target_met else 'MISSED'}")
    return "\n".join(lines)
