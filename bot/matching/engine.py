"""Ranks groups: hard constraints filter, soft preferences score, every result says why."""
from __future__ import annotations

import heapq
from dataclasses import dataclass, replace
from typing import List, Optional, Tuple

from bot.matching.catalog_view import CatalogView, GroupView, MeetingView
from bot.matching.geo import Place, distance_km, locate
from bot.matching.request import MatchRequest
from bot.models import AUDIENCES, WEEKDAYS

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


class _Ranking:
    """Everything derived from one request, computed once and used for every group."""

    def __init__(self, request: MatchRequest, place: Optional[Place]) -> None:
        self.request = request
        self.place = place
        self.days = request.weekdays
        self.time_of_day = request.time_of_day
        self.leader = request.leader if request.leader in ("peer", "professional") else None
        self.formats = None if request.format in (None, "either") else {request.format, "hybrid"}
        self.needs = frozenset(request.accessibility)
        self.audiences = request.eligible_audiences
        # Beyond this many degrees of latitude a group is too far for distance points.
        self.max_latitude_gap = NEAR_KM / 111.0 + 0.01

    # Hard constraints: a group failing one is never offered.
    def eligible(self, group: GroupView) -> bool:
        request = self.request
        return (
            (self.formats is None or group.format in self.formats)
            and (request.language is None or request.language in group.languages)
            and self.needs <= group.accessibility
            and (not group.audience or not group.audience.isdisjoint(self.audiences))
            and (not request.observe_first or group.observers_welcome)
        )

    # Soft preferences: they order the eligible groups.
    def fits(self, meeting: MeetingView) -> bool:
        return (not self.days or meeting.weekday in self.days) and (
            not self.time_of_day or meeting.time_of_day == self.time_of_day
        )

    def distance(self, group: GroupView) -> Optional[float]:
        if self.place is None or group.latitude is None or group.format == "online":
            return None
        return distance_km(self.place, group.latitude, group.longitude)

    def points(self, group: GroupView) -> float:
        score = 1.0
        if self.days or self.time_of_day:
            if any(self.fits(m) for m in group.meetings):
                score += 3.0 if self.days and self.time_of_day else 2.0
            elif self.days and any(m.weekday in self.days for m in group.meetings):
                score += 1.0
            elif self.time_of_day and any(m.time_of_day == self.time_of_day for m in group.meetings):
                score += 1.0
        if self.place is not None and group.latitude is not None and abs(group.latitude - self.place.latitude) < self.max_latitude_gap:
            km = self.distance(group)
            if km is not None:
                score += 3.0 * max(0.0, 1.0 - km / NEAR_KM)
        if self.leader is not None and group.leader == self.leader:
            score += 1.5
        if group.newcomers_welcome:
            score += 0.5
        if self.request.anxious and group.typical_size and group.typical_size <= SMALL_GROUP:
            score += 1.0
        return score

    def reasons(self, group: GroupView) -> List[str]:
        """Why the group fits, in plain words: only built for the groups shown."""
        request, reasons = self.request, []
        fitting = [m for m in group.meetings if self.fits(m)]
        on_day = [m for m in group.meetings if m.weekday in self.days]
        if (self.days or self.time_of_day) and fitting:
            reasons.append("meets " + ", ".join(describe_meeting(m) for m in fitting[:2]))
        elif on_day:
            reasons.append("meets " + describe_meeting(on_day[0]))
        elif self.time_of_day and any(m.time_of_day == self.time_of_day for m in group.meetings):
            reasons.append(f"has a meeting in the {self.time_of_day}")
        elif group.meetings:
            reasons.append("meets " + ", ".join(describe_meeting(m) for m in group.meetings[:2]))

        km = self.distance(group)
        if group.format == "online":
            reasons.append("online, so you can join from home")
        elif km is not None:
            where = "in person" if group.format == "in_person" else "in person or online"
            reasons.append(f"{where}, about {km:.0f} km from {self.place.name}" if km >= 1 else f"{where} in {self.place.name}")
        elif group.format == "hybrid":
            reasons.append(f"in person in {group.city} or online")
        else:
            reasons.append(f"in person in {group.city}")

        reasons.append("peer-led, by people who have been there" if group.leader == "peer" else "led by a trained professional")
        if request.observe_first and group.observers_welcome:
            reasons.append("welcomes people who just want to listen")
        if request.anxious and group.typical_size and group.typical_size <= SMALL_GROUP:
            reasons.append(f"a small group, usually about {group.typical_size} people")
        if request.language and request.language != "en":
            reasons.append(f"runs in {LANGUAGE_NAMES.get(request.language, request.language)}")
        for need in request.accessibility:
            reasons.append(f"has {ACCESSIBILITY_REASONS[need]}")
        return reasons

    def page(self, groups: List[GroupView]) -> Tuple[Match, ...]:
        """The requested page, best first; ties broken by slug so results are stable."""
        request = self.request
        scored = ((self.points(g), g) for g in groups)
        best = heapq.nsmallest(request.offset + request.limit, scored, key=lambda pair: (-pair[0], pair[1].slug))
        return tuple(Match(g, points, tuple(self.reasons(g))) for points, g in best[request.offset:])

    def soft_notes(self, matches: Tuple[Match, ...]) -> List[str]:
        notes = []
        if self.request.location and self.place is None:
            notes.append(f"I couldn't place \"{self.request.location}\" on my map, so distance wasn't used.")
        if matches and (self.days or self.time_of_day):
            if not any(self.fits(m) for match in matches for m in match.group.meetings):
                notes.append("None of the suitable groups meet at the times you asked for, so these are the closest.")
        return notes


def rank(catalog: CatalogView, request: MatchRequest) -> Recommendations:
    """The best groups for the request, never breaking a hard constraint silently."""
    place = locate(request.location) if request.location else None
    candidates = catalog.for_concern(request.concern)
    ranking = _Ranking(request, place)
    eligible = [g for g in candidates if ranking.eligible(g)]
    notes: List[str] = []
    if not eligible and ranking.formats is not None:
        # Format is the one hard constraint we relax, and we say so.
        ranking = _Ranking(replace(request, format=None), place)
        eligible = [g for g in candidates if ranking.eligible(g)]
        if eligible:
            wanted = "online" if request.format == "online" else "in-person"
            notes.append(f"I couldn't find an {wanted} group that fits, so I've included other formats.")
    if not eligible:
        notes.append(_why_nothing(request, candidates))
        return Recommendations((), 0, tuple(notes))
    page = ranking.page(eligible)
    return Recommendations(page, len(eligible), tuple(notes + ranking.soft_notes(page)))


# Each hard constraint, and the request with that constraint lifted.
_LIFTED = {
    "format": lambda r: replace(r, format=None),
    "language": lambda r: replace(r, language=None),
    "accessibility": lambda r: replace(r, accessibility=()),
    "audience": lambda r: replace(r, audience=AUDIENCES),
    "observe_first": lambda r: replace(r, observe_first=False),
}
_BLOCKING_NOTES = {
    "format": "in that format",
    "language": "in that language",
    "accessibility": "with the access needs you mentioned",
    "audience": "open to you",
    "observe_first": "that welcomes people who just want to listen",
}


def _why_nothing(request: MatchRequest, candidates) -> str:
    """Name the constraint(s) that leave no group, by lifting one at a time."""
    if not candidates:
        return "I don't have any groups for that in my list yet."
    blocking = [
        name for name, lift in _LIFTED.items()
        if any(_Ranking(lift(request), None).eligible(g) for g in candidates)
    ] or list(_LIFTED)[:2]
    wording = " or ".join(_BLOCKING_NOTES[name] for name in blocking[:2])
    return f"I couldn't find a group {wording}. Staff may know of other options."
