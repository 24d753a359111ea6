"""The project's own CSV layout for groups (see bot/resources/seed_groups.csv)."""
from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Iterable, List, Optional

from bot.catalog.records import GroupRecord, MeetingTime, RecordError, validate

COLUMNS = (
    "slug", "name", "description", "concerns", "leader", "approach", "format", "meetings",
    "timezone", "address", "city", "postcode", "country", "latitude", "longitude",
    "online_instructions", "languages", "accessibility", "observers_welcome",
    "newcomers_welcome", "typical_size", "cost", "audience", "contact", "active",
    "last_updated",
)
DAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _list(raw: str) -> tuple:
    return tuple(part.strip() for part in raw.split(";") if part.strip())


def _bool(name: str, raw: str, default: bool) -> bool:
    value = raw.strip().lower()
    if not value:
        return default
    if value in ("true", "yes", "1"):
        return True
    if value in ("false", "no", "0"):
        return False
    raise RecordError(f"{name} must be true or false, not {raw!r}")


def _number(name: str, raw: str, kind=float) -> Optional[float]:
    if not raw.strip():
        return None
    try:
        return kind(raw)
    except ValueError:
        raise RecordError(f"{name} must be a number, not {raw!r}") from None


def parse_time(raw: str) -> dt.time:
    """Parse "HH:MM" (or "HH:MM:SS") into a time."""
    try:
        return dt.time.fromisoformat(raw.strip())
    except ValueError:
        raise RecordError(f"time {raw!r} must look like 19:30") from None


def _meetings(raw: str) -> tuple:
    meetings = []
    for part in _list(raw):
        day, _, hours = part.partition(" ")
        if day.lower() not in DAY_CODES:
            raise RecordError(f"meeting {part!r} must start with a day like mon or sat")
        start, _, end = hours.strip().partition("-")
        meetings.append(
            MeetingTime(DAY_CODES.index(day.lower()), parse_time(start), parse_time(end) if end else None)
        )
    return tuple(meetings)


def _date(raw: str) -> Optional[dt.date]:
    if not raw.strip():
        return None
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise RecordError(f"last_updated {raw!r} must be a date like 2026-03-31") from None


def record_from_row(row: dict) -> GroupRecord:
    """Turn one CSV row into a validated record."""
    text = {key: (row.get(key) or "").strip() for key in COLUMNS}
    size = _number("typical_size", text["typical_size"], int)
    return validate(
        GroupRecord(
            slug=text["slug"],
            name=text["name"],
            description=text["description"],
            concerns=_list(text["concerns"]),
            leader=text["leader"],
            approach=text["approach"] or "discussion",
            format=text["format"],
            meetings=_meetings(text["meetings"]),
            timezone=text["timezone"] or "UTC",
            address=text["address"],
            city=text["city"],
            postcode=text["postcode"],
            country=text["country"].upper(),
            latitude=_number("latitude", text["latitude"]),
            longitude=_number("longitude", text["longitude"]),
            online_instructions=text["online_instructions"],
            languages=_list(text["languages"]) or ("en",),
            accessibility=_list(text["accessibility"]),
            observers_welcome=_bool("observers_welcome", text["observers_welcome"], True),
            newcomers_welcome=_bool("newcomers_welcome", text["newcomers_welcome"], True),
            typical_size=size,
            cost=text["cost"],
            audience=_list(text["audience"]),
            contact=text["contact"],
            active=_bool("active", text["active"], True),
            last_updated=_date(text["last_updated"]),
        )
    )


def read_csv(text: str) -> List[GroupRecord]:
    """Parse a whole CSV file; the first bad row raises RecordError naming its line."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [name for name in ("slug", "name", "concerns", "leader", "format") if name not in (reader.fieldnames or ())]
    if missing:
        raise RecordError(f"the CSV header lacks the column(s): {', '.join(missing)}")
    records = []
    for row in reader:
        try:
            records.append(record_from_row(row))
        except RecordError as error:
            raise RecordError(f"line {reader.line_num}: {error}") from None
    return records


def write_csv(records: Iterable[GroupRecord]) -> str:
    """The inverse of read_csv, used to export and to build test catalogs."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for record in records:
        writer.writerow(
            {
                **{key: getattr(record, key) for key in COLUMNS if key not in _LIST_COLUMNS},
                **{key: ";".join(getattr(record, key)) for key in _LIST_COLUMNS if key != "meetings"},
                "meetings": ";".join(
                    f"{DAY_CODES[m.weekday]} {m.start:%H:%M}" + (f"-{m.end:%H:%M}" if m.end else "")
                    for m in record.meetings
                ),
                "latitude": "" if record.latitude is None else record.latitude,
                "longitude": "" if record.longitude is None else record.longitude,
                "typical_size": "" if record.typical_size is None else record.typical_size,
                "last_updated": record.last_updated.isoformat() if record.last_updated else "",
                "observers_welcome": str(record.observers_welcome).lower(),
                "newcomers_welcome": str(record.newcomers_welcome).lower(),
                "active": str(record.active).lower(),
            }
        )
    return out.getvalue()


_LIST_COLUMNS = ("concerns", "languages", "accessibility", "audience", "meetings")
