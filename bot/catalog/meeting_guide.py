"""Groups from a Meeting Guide JSON feed (the code4recovery spec)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from typing import Any, Dict, List, Optional, Tuple

from bot.catalog.csv_format import parse_time
from bot.catalog.records import SLUG, GroupRecord, MeetingTime, RecordError, validate

# Meeting Guide type codes for languages, mapped to ISO 639-1.
LANGUAGE_CODES = {
    "AF": "af", "AM": "am", "AR": "ar", "BG": "bg", "DA": "da", "DE": "de", "EL": "el",
    "EN": "en", "FA": "fa", "FI": "fi", "FR": "fr", "HE": "he", "HI": "hi", "HR": "hr",
    "HU": "hu", "IS": "is", "ITA": "it", "JA": "ja", "KA": "ka", "KOR": "ko", "LT": "lt",
    "ML": "ml", "MT": "mt", "NE": "ne", "NL": "nl", "NO": "no", "POL": "pl", "POR": "pt",
    "PUN": "pa", "RUS": "ru", "S": "es", "SK": "sk", "SL": "sl", "SV": "sv", "TH": "th",
    "TL": "tl", "TUR": "tr", "UK": "uk",
}
ACCESSIBILITY_CODES = {"X": "wheelchair", "ASL": "sign_language"}
AUDIENCE_CODES = {
    "W": "women", "M": "men", "Y": "young_adults", "SEN": "older_adults",
    "LGBTQ": "lgbtq", "G": "lgbtq", "L": "lgbtq", "BI": "lgbtq", "T": "lgbtq", "NB": "lgbtq",
}
# Codes that set a flag or the format rather than a list value.
FLAG_CODES = {"O", "C", "BE", "TC", "ONL"}
TIME = re.compile(r"^\d{2}:\d{2}(:\d{2})?$")


def _text(entry: dict, key: str) -> str:
    value = entry.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise RecordError(f"{key} must be text, not {value!r}")
    return str(value).strip()


def _slug(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise RecordError("slug is missing or empty")
    slug = raw.strip().lower()
    if not SLUG.match(slug):
        slug = re.sub(r"[^a-z0-9-]+", "-", slug).strip("-")
    if not SLUG.match(slug):
        raise RecordError(f"slug {raw!r} cannot be turned into lower-case letters, digits and dashes")
    return slug


def _weekdays(raw: Any) -> List[int]:
    """Meeting Guide days (0 = Sunday) as our weekdays (0 = Monday)."""
    days = raw if isinstance(raw, list) else [] if raw is None else [raw]
    weekdays = []
    for day in days:
        if isinstance(day, str) and day.strip().isdigit():
            day = int(day.strip())
        if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
            raise RecordError(f"day {day!r} must be 0 (Sunday) to 6 (Saturday)")
        weekdays.append((day - 1) % 7)
    return weekdays


def _time(key: str, raw: Any) -> dt.time:
    if not isinstance(raw, str) or not TIME.match(raw.strip()):
        raise RecordError(f"{key} {raw!r} must look like 19:30")
    try:
        return parse_time(raw)
    except RecordError:
        raise RecordError(f"{key} {raw!r} must look like 19:30") from None


def _meetings(entry: dict) -> Tuple[MeetingTime, ...]:
    weekdays = _weekdays(entry.get("day"))
    if not weekdays:
        return ()
    start = _time("time", entry.get("time"))
    end = _time("end_time", entry["end_time"]) if entry.get("end_time") else None
    return tuple(MeetingTime(weekday, start, end) for weekday in weekdays)


def _coordinate(entry: dict, key: str, limit: float) -> Optional[float]:
    raw = entry.get(key)
    if raw is None or raw == "":
        return None
    try:
        if isinstance(raw, bool):
            raise ValueError
        value = float(raw)
    except (TypeError, ValueError):
        raise RecordError(f"{key} must be a number, not {raw!r}") from None
    if not -limit <= value <= limit:
        raise RecordError(f"{key} {raw!r} is out of range (-{limit:g} to {limit:g})")
    return value


def _types(entry: dict) -> List[str]:
    types = entry.get("types") or []
    if not isinstance(types, list) or not all(isinstance(code, str) for code in types):
        raise RecordError(f"types must be a list of codes like [\"O\", \"X\"], not {types!r}")
    return [code.strip().upper() for code in types]


def _updated(raw: Any) -> Optional[dt.date]:
    try:
        return dt.date.fromisoformat(str(raw).strip()[:10]) if raw else None
    except ValueError:
        return None


def _unique(values) -> tuple:
    return tuple(dict.fromkeys(values))


def _online_instructions(entry: dict) -> str:
    lines = []
    for key, label in (("conference_url", "Join online"), ("conference_phone", "Phone")):
        if _text(entry, key):
            lines.append(f"{label}: {_text(entry, key)}")
        if _text(entry, f"{key}_notes"):
            lines.append(_text(entry, f"{key}_notes"))
    return "\n".join(lines)


def record_from_entry(entry: dict, concern: str) -> GroupRecord:
    """Turn one feed entry into a record (not yet validated)."""
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise RecordError("name is missing or empty")
    types = _types(entry)
    online = bool(_text(entry, "conference_url") or _text(entry, "conference_phone") or "ONL" in types)
    street = _text(entry, "address") or _text(entry, "formatted_address")
    physical = bool(street) and "TC" not in types
    location = _text(entry, "location")
    country = _text(entry, "country").upper()
    languages = _unique(LANGUAGE_CODES[code] for code in types if code in LANGUAGE_CODES)
    known = FLAG_CODES | LANGUAGE_CODES.keys() | ACCESSIBILITY_CODES.keys() | AUDIENCE_CODES.keys()
    extra: Dict[str, Any] = {
        "website": _text(entry, "entity_website_url") or _text(entry, "entity_url"),
        "state": _text(entry, "state"),
        "group": _text(entry, "group"),
        "other_types": tuple(code for code in types if code not in known),
    }
    return GroupRecord(
        slug=_slug(entry.get("slug")),
        name=name.strip(),
        description=_text(entry, "notes"),
        leader="peer",
        approach="12_step",
        concerns=(concern,),
        format="hybrid" if online and physical else "online" if online else "in_person",
        meetings=_meetings(entry),
        timezone=_text(entry, "timezone") or "UTC",
        address=", ".join(part for part in (location, street) if part),
        city=_text(entry, "city"),
        postcode=_text(entry, "postal_code"),
        country=country if re.fullmatch(r"[A-Z]{2}", country) else "",
        latitude=_coordinate(entry, "latitude", 90),
        longitude=_coordinate(entry, "longitude", 180),
        online_instructions=_online_instructions(entry),
        languages=languages or ("en",),
        accessibility=_unique(ACCESSIBILITY_CODES[c] for c in types if c in ACCESSIBILITY_CODES),
        audience=_unique(AUDIENCE_CODES[c] for c in types if c in AUDIENCE_CODES),
        observers_welcome="C" not in types,
        newcomers_welcome=True,
        contact=next(
            (_text(entry, key) for key in ("email", "phone", "contact_1_email", "contact_1_phone") if _text(entry, key)),
            "",
        ),
        # A closed location only stops the meeting when it has no online option.
        active="TC" not in types or online,
        last_updated=_updated(entry.get("updated")),
        extra=extra,
    )


def read_meeting_guide(text: str, concern: str = "alcohol") -> List[GroupRecord]:
    """Parse a whole feed; the first bad entry raises RecordError naming its position."""
    try:
        feed = json.loads(text)
    except ValueError as error:
        raise RecordError(f"the feed is not valid JSON: {error}") from None
    if not isinstance(feed, list):
        raise RecordError("the top level of the feed must be a JSON array of meetings")
    records: Dict[str, GroupRecord] = {}
    for number, entry in enumerate(feed, start=1):
        position = f"meeting {number}"
        try:
            if not isinstance(entry, dict):
                raise RecordError("must be a JSON object")
            if isinstance(entry.get("slug"), str) and entry["slug"].strip():
                position += f" (slug {entry['slug'].strip()!r})"
            record = record_from_entry(entry, concern)
            first = records.get(record.slug)
            if first is not None and first.name != record.name:
                raise RecordError(f"slug {record.slug!r} appears twice with different names")
            if first is not None:
                record = dataclasses.replace(first, meetings=_unique(first.meetings + record.meetings))
            records[record.slug] = validate(record)
        except RecordError as error:
            raise RecordError(f"{position}: {error}") from None
    return list(records.values())
