"""Ranks groups: hard constraints filter, soft preferences score, every result says why."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable, List, Optional, Tuple

from bot.matching.catalog_view import CatalogView, GroupView, MeetingView
from bot.matching.geo import Place, distance_km, locate
from bot.matching.request import MatchRequest
from bot.models import WEEKDAYS

SMALL_GROUP = 12  # people; smaller groups suit someone who feels anxious
NEAR_KM = 60.0  # beyond this an in-person group earns no distance points

LANGUAGE_NAMES = {
    "en": "English", "es": "Spanish", "fr": "French", "pl": "Polish", "pt": "Portuguese",
    "de": "German", "it": "Italian", "ar": "Arabic", "zh": "Chinese", "ur": "Urdu",
    "pa": "Punjabi", "hi": "Hindi",
}
ACCESSIBILITY_REASONS = {
    "wheelchair": "step-free, wheelchair-accessible venue",
    "hearing_loop": "hearing loop in the room",
    "sign_language": "sign language interpretation",
    "captions": "live captions",
}


@dataclass(frozen=True)
class Match:
    """One ranked group with the reasons it fits."""

    group: GroupView
    score: float
    reasons: Tuple[str, ...]

    def as_dict(self) -> dict:
        g = self.group
        return {
            "id": g.id, "slug": g.slug, "name": g.name, "score": round(self.score, 3),
            "reasons": list(self.reasons), "format": g.format, "leader": g.leader,
            "city": g.city, "meetings": [describe_meeting(m) for m in g.meetings],
            "observers_welcome": g.observers_welcome, "contact": g.contact,
        }


@dataclass(frozen=True)
class Recommendations:
    """The ranked page of matches, the total and notes on any relaxed preference."""

    matches: Tuple[Match, ...]
    total: int
    notes: Tuple[str, ...] = ()


def describe_meeting(meeting: MeetingView) -> str:
    """'Tuesdays 7pm' style wording for one meeting."""
    hour = meeting.start.hour % 12 or 12
    minutes = f":{meeting.start.minute:02d}" if meeting.start.minute else ""
    suffix = "am" if meeting.start.hour < 12 else "pm"
    return f"{WEEKDAYS[meeting.weekday].capitalize()}s {hour}{minutes}{suffix}"


# --- hard constraints: a group failing one is never offered --------------------

def _format_ok(request: MatchRequest, group: GroupView) -> bool:
    if request.format in (None, "either"):
        return True
    return group.format in (request.format, "hybrid")


def _language_ok(request: MatchRequest, group: GroupView) -> bool:
    return request.language is None or request.language in group.languages


def _accessibility_ok(request: MatchRequest, group: GroupView) -> bool:
    return set(request.accessibility) <= group.accessibility


def _audience_ok(request: MatchRequest, group: GroupView) -> bool:
    return not group.audience or bool(group.audience & request.eligible_audiences)


def _observers_ok(request: MatchRequest, group: GroupView) -> bool:
    return not request.observe_first or group.observers_welcome


# (name used in notes, check); the order is the order notes name them in.
HARD_CONSTRAINTS: Tuple[Tuple[str, Callable[[MatchRequest, GroupView], bool]], ...] = (
    ("format", _format_ok),
    ("language", _language_ok),
    ("accessibility", _accessibility_ok),
    ("audience", _audience_ok),
    ("observe_first", _observers_ok),
)


def _eligible(request: MatchRequest, group: GroupView) -> bool:
    return all(check(request, group) for _, check in HARD_CONSTRAINTS)


# --- soft preferences: they order the eligible groups --------------------------

def _score(request: MatchRequest, group: GroupView, place: Optional[Place]) -> Tuple[float, List[str]]:
    score, reasons = 1.0, []
    wanted_days, wanted_time = request.weekdays, request.time_of_day
    fitting = [
        m for m in group.meetings
        if (not wanted_days or m.weekday in wanted_days) and (not wanted_time or m.time_of_day == wanted_time)
    ]
    if (wanted_days or wanted_time) and fitting:
        score += 3.0 if wanted_days and wanted_time else 2.0
        reasons.append("meets " + ", ".join(describe_meeting(m) for m in fitting[:2]))
    elif wanted_days and any(m.weekday in wanted_days for m in group.meetings):
        score += 1.0
        reasons.append("meets " + describe_meeting(next(m for m in group.meetings if m.weekday in wanted_days)))
    elif wanted_time and any(m.time_of_day == wanted_time for m in group.meetings):
        score += 1.0
        reasons.append(f"has an {wanted_time} meeting" if wanted_time != "morning" else "has a morning meeting")
    elif group.meetings:
        reasons.append("meets " + ", ".join(describe_meeting(m) for m in group.meetings[:2]))

    if group.format == "online":
        reasons.append("online, so you can join from home")
    elif place is not None and group.latitude is not None:
        km = distance_km(place, group.latitude, group.longitude)
        score += 3.0 * max(0.0, 1.0 - km / NEAR_KM)
        where = "in person" if group.format == "in_person" else "in person or online"
        reasons.append(f"{where}, about {km:.0f} km from {place.name}" if km >= 1 else f"{where} in {place.name}")
    elif group.format == "hybrid":
        reasons.append(f"in person in {group.city} or online")
    else:
        reasons.append(f"in person in {group.city}")

    if request.leader in ("peer", "professional") and group.leader == request.leader:
        score += 1.5
    reasons.append("peer-led, by people who have been there" if group.leader == "peer" else "led by a trained professional")
    if request.observe_first and group.observers_welcome:
        reasons.append("welcomes people who just want to listen")
    if group.newcomers_welcome:
        score += 0.5
    if request.anxious and group.typical_size and group.typical_size <= SMALL_GROUP:
        score += 1.0
        reasons.append(f"a small group, usually about {group.typical_size} people")
    if request.language and request.language != "en":
        reasons.append(f"runs in {LANGUAGE_NAMES.get(request.language, request.language)}")
    for need in request.accessibility:
        reasons.append(f"has {ACCESSIBILITY_REASONS[need]}")
    return score, reasons


def _soft_notes(request: MatchRequest, matches: Tuple[Match, ...], place: Optional[Place]) -> List[str]:
    notes = []
    if request.location and place is None:
        notes.append(f"I couldn't place \"{request.location}\" on my map, so distance wasn't used.")
    wanted_days, wanted_time = request.weekdays, request.time_of_day
    if matches and (wanted_days or wanted_time):
        def fits(m: MeetingView) -> bool:
            return (not wanted_days or m.weekday in wanted_days) and (not wanted_time or m.time_of_day == wanted_time)
        if not any(fits(m) for match in matches for m in match.group.meetings):
            notes.append("None of the suitable groups meet at the times you asked for, so these are the closest.")
    return notes


def _rank_eligible(request: MatchRequest, groups, place: Optional[Place]) -> List[Match]:
    ranked = []
    for group in groups:
        score, reasons = _score(request, group, place)
        ranked.append(Match(group, score, tuple(reasons)))
    ranked.sort(key=lambda match: (-match.score, match.group.slug))
    return ranked


def rank(catalog: CatalogView, request: MatchRequest) -> Recommendations:
    """The best groups for the request, never breaking a hard constraint silently."""
    place = locate(request.location) if request.location else None
    candidates = catalog.for_concern(request.concern)
    eligible = [g for g in candidates if _eligible(request, g)]
    notes: List[str] = []
    if not eligible and request.format not in (None, "either"):
        # Format is the one hard constraint we relax, and we say so.
        relaxed = replace(request, format=None)
        eligible = [g for g in candidates if _eligible(relaxed, g)]
        if eligible:
            wanted = "online" if request.format == "online" else "in-person"
            notes.append(f"I couldn't find an {wanted} group that fits, so I've included other formats.")
    if not eligible:
        notes.append(_why_nothing(request, candidates))
        return Recommendations((), 0, tuple(notes))
    ranked = _rank_eligible(request, eligible, place)
    page = tuple(ranked[request.offset: request.offset + request.limit])
    return Recommendations(page, len(ranked), tuple(notes + _soft_notes(request, page, place)))


_BLOCKING_NOTES = {
    "format": "in that format",
    "language": "in that language",
    "accessibility": "with the access needs you mentioned",
    "audience": "open to you",
    "observe_first": "that welcomes people who just want to listen",
}


def _why_nothing(request: MatchRequest, candidates) -> str:
    if not candidates:
        return "I don't have any groups for that in my list yet."
    blocking = [
        name for name, check in HARD_CONSTRAINTS
        if not any(check(request, g) for g in candidates)
    ] or [name for name, check in HARD_CONSTRAINTS if not all(check(request, g) for g in candidates)]
    wording = " or ".join(_BLOCKING_NOTES[name] for name in blocking[:2])
    return f"I couldn't find a group {wording}. Staff may know of other options."
