"""Which of the groups shown the person picked, and when it next meets."""
from __future__ import annotations

import datetime as dt
import re
from typing import Iterable, List, Optional, Sequence

from spacy.lang.en.stop_words import STOP_WORDS

from bot.calendar_invite import next_meeting_start
from bot.matching.catalog_view import GroupView

REMINDER_NOTICE = dt.timedelta(days=1)
# The group_choice value for "the last one" (bot/resources/entity_patterns.jsonl).
LAST = "last"


def shown_entries(matches: Iterable, first_position: int) -> List[dict]:
    """The matches as stored in the conversation: each with the number it was shown under."""
    return [{**match.as_dict(), "position": position} for position, match in enumerate(matches, start=first_position)]


def find_choice(shown: Sequence[dict], number: Optional[str], text: str) -> Optional[dict]:
    """The group the person means, by its number in the latest list ("last" for its end) or by its name."""
    if number == LAST:
        return shown[-1] if shown else None  # the end of the latest list, also after "show me more"
    if number and number.isdigit():
        for entry in reversed(shown):  # a new search numbers its list from 1 again
            if entry.get("position") == int(number):
                return entry
        return None
    lowered = text.lower()
    named = [entry for entry in shown if entry.get("name") and entry["name"].lower() in lowered]
    if named:
        return named[-1]
    # "the Harbour Lights one": a longer name by its first two words, when only one group fits.
    by_start = {entry["slug"]: entry for entry in shown if entry.get("name") and _named_by_start(entry["name"], lowered)}
    return next(iter(by_start.values())) if len(by_start) == 1 else None


def _named_by_start(name: str, lowered_text: str) -> bool:
    """True if a name of three or more words is named by its first two, unless both are stop words ("Off the...")."""
    words = name.lower().split()
    if len(words) < 3 or all(word in STOP_WORDS for word in words[:2]):
        return False
    return re.search(rf"\b{re.escape(' '.join(words[:2]))}\b", lowered_text) is not None


def unique_by_slug(shown: Sequence[dict]) -> List[dict]:
    """Each group once, in the order first shown, with its latest score and reasons."""
    latest = {entry["slug"]: entry for entry in shown}
    return [latest[slug] for slug in dict.fromkeys(entry["slug"] for entry in shown)]


def spoken_time(start: dt.datetime) -> str:
    """'Tuesday 14 January at 7pm' style wording, in the group's own time zone."""
    hour = start.hour % 12 or 12
    minutes = f":{start.minute:02d}" if start.minute else ""
    suffix = "am" if start.hour < 12 else "pm"
    return f"{start:%A} {start.day} {start:%B} at {hour}{minutes}{suffix}"


def reminder_time(group: GroupView, now: dt.datetime) -> Optional[dt.datetime]:
    """A day before the next meeting, or None when that has already passed (`now` is aware)."""
    at = next_meeting_start(group, now) - REMINDER_NOTICE
    return at if at > now else None


def ics_filename(slug: str) -> str:
    """A safe download name for the group's calendar file."""
    return re.sub(r"[^a-z0-9-]+", "-", slug.lower()).strip("-") + ".ics"
