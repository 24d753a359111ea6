"""Reads the person's preferences from slots, ignoring anything non-canonical."""
from __future__ import annotations

from typing import Any, Optional, Tuple

from rasa_sdk import Tracker

from bot.matching import MatchRequest, RequestError


def _as_tuple(value: Any) -> Tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(item) for item in value if item)


def _text(value: Any) -> Optional[str]:
    return value if isinstance(value, str) and value.strip() else None


def felt_anxious(tracker: Tracker) -> bool:
    """True when the person said at any point that they feel nervous or ashamed."""
    return any(
        event.get("event") == "user"
        and (event.get("parse_data") or {}).get("intent", {}).get("name") == "express_anxiety"
        for event in tracker.events
    )


def match_request(tracker: Tracker, limit: int = 3, offset: int = 0) -> Optional[MatchRequest]:
    """The request the slots describe, or None without a known concern.

    Slots can be set by anyone typing `/inform{...}`, so each value is checked
    against the canonical set and a value that is not canonical is dropped.
    """
    slots = tracker.current_slot_values()
    fields = {
        "format": _text(slots.get("format")),
        "days": _as_tuple(slots.get("day")),
        "time_of_day": _text(slots.get("time_of_day")),
        "language": _text(slots.get("language")),
        "accessibility": _as_tuple(slots.get("accessibility")),
        "leader": _text(slots.get("leader")),
        "location": _text(slots.get("location")),
    }
    concern = _text(slots.get("concern"))
    if concern is None:
        return None
    try:
        MatchRequest(concern=concern)
    except RequestError:
        return None
    kept = {}
    for name, value in fields.items():
        try:
            MatchRequest(concern=concern, **{name: value})
            kept[name] = value
        except RequestError:
            continue
    return MatchRequest(
        concern=concern,
        observe_first=slots.get("observe_first") is True,
        anxious=felt_anxious(tracker),
        limit=limit,
        offset=offset,
        **kept,
    )
