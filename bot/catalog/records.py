"""A catalog entry as plain data, validated before it reaches the database."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from typing import Optional, Tuple

from bot.models import ACCESSIBILITY, APPROACHES, AUDIENCES, CONCERNS, FORMATS, LEADERS

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,119}$")
LANGUAGE = re.compile(r"^[a-z]{2}$")


class RecordError(ValueError):
    """A catalog record that cannot be stored, with the reason in plain words."""


@dataclass(frozen=True)
class MeetingTime:
    """A weekly meeting: weekday 0 = Monday … 6 = Sunday."""

    weekday: int
    start: dt.time
    end: Optional[dt.time] = None


@dataclass(frozen=True)
class GroupRecord:
    """Everything the catalog stores about one group."""

    slug: str
    name: str
    leader: str
    format: str
    concerns: Tuple[str, ...]
    meetings: Tuple[MeetingTime, ...] = ()
    description: str = ""
    approach: str = "discussion"
    timezone: str = "UTC"
    address: str = ""
    city: str = ""
    postcode: str = ""
    country: str = ""
    latitude: Optional[float] = None
    longitude: Optional[float] = None
    online_instructions: str = ""
    languages: Tuple[str, ...] = ("en",)
    accessibility: Tuple[str, ...] = ()
    audience: Tuple[str, ...] = ()
    observers_welcome: bool = True
    newcomers_welcome: bool = True
    typical_size: Optional[int] = None
    cost: str = ""
    contact: str = ""
    active: bool = True
    last_updated: Optional[dt.date] = None
    extra: dict = field(default_factory=dict, compare=False)

    def as_dict(self) -> dict:
        data = asdict(self)
        data.pop("extra")
        return data


def _check_choice(name: str, value: str, allowed) -> None:
    if value not in allowed:
        raise RecordError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")


def _check_choices(name: str, values, allowed) -> None:
    for value in values:
        _check_choice(name, value, allowed)


def validate(record: GroupRecord) -> GroupRecord:
    """Return the record unchanged, or raise RecordError saying what is wrong."""
    if not SLUG.match(record.slug):
        raise RecordError(f"slug {record.slug!r} must be lower-case letters, digits and dashes")
    if not record.name.strip():
        raise RecordError("name is empty")
    _check_choice("leader", record.leader, LEADERS)
    _check_choice("format", record.format, FORMATS)
    _check_choice("approach", record.approach, APPROACHES)
    if not record.concerns:
        raise RecordError("a group needs at least one concern")
    _check_choices("concern", record.concerns, CONCERNS)
    _check_choices("accessibility", record.accessibility, ACCESSIBILITY)
    _check_choices("audience", record.audience, AUDIENCES)
    for language in record.languages:
        if not LANGUAGE.match(language):
            raise RecordError(f"language {language!r} must be a two-letter ISO 639-1 code")
    if (record.latitude is None) != (record.longitude is None):
        raise RecordError("latitude and longitude must both be given or both be empty")
    if record.latitude is not None and not (
        -90 <= record.latitude <= 90 and -180 <= record.longitude <= 180
    ):
        raise RecordError("latitude or longitude is out of range")
    if record.typical_size is not None and record.typical_size < 1:
        raise RecordError("typical size must be a positive number")
    return record
