"""Picking one of the groups shown: its next meeting, a calendar file and a reminder offer."""
from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, ReminderScheduled, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import say
from bot.calendar_invite import next_meeting_ics, next_meeting_start
from bot.database import configured_database
from bot.group_choice import find_choice, ics_filename, reminder_time, spoken_time
from bot.matching.catalog_view import GroupView

# Channels that can send a message the person did not just ask for (the REST channel cannot).
REMINDER_CHANNELS = frozenset({"socketio", "telegram", "twilio", "facebook", "slack"})
REMINDER_INTENT = "ask_next_meeting"


def _group(slug: Optional[str]) -> Optional[GroupView]:
    return configured_database().catalog().group(slug) if slug else None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _how_to_get_there(group: GroupView) -> str:
    if group.format == "online":
        return group.online_instructions or "It meets online; the group will tell you how to join."
    place = ", ".join(part for part in (group.address, group.city) if part)
    return f"It meets at {place}." if place else f"It meets in {group.city}."


class ActionChooseGroup(Action):
    """Confirms the group the person picked, with a calendar file, then offers a reminder."""

    def name(self) -> Text:
        return "action_choose_group"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        number = next(tracker.get_latest_entity_values("group_choice"), None)
        entry = find_choice(tracker.get_slot("shown_groups") or [], number, tracker.latest_message.get("text") or "")
        group = await asyncio.to_thread(_group, entry["slug"] if entry else None)
        if group is None or not group.meetings:
            say(dispatcher, "choice_unclear")
            return [SlotSet("reminder_offered", None)]
        now = _now()
        say(dispatcher, "group_chosen", name=group.name, when=spoken_time(next_meeting_start(group, now)),
            where=_how_to_get_there(group))
        dispatcher.utter_message(json_message={"calendar": {
            "filename": ics_filename(group.slug), "mime_type": "text/calendar",
            "content": next_meeting_ics(group, now).decode("utf-8"),
        }})
        offer = tracker.get_latest_input_channel() in REMINDER_CHANNELS and reminder_time(group, now) is not None
        say(dispatcher, "offer_reminder" if offer else "after_choice")
        return [SlotSet("chosen_group", group.slug), SlotSet("reminder_offered", offer)]


class ActionAnswerReminderOffer(Action):
    """Schedules a reminder the day before the meeting when the person said yes."""

    def name(self) -> Text:
        return "action_answer_reminder_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        events: List[EventType] = [SlotSet("reminder_offered", False)]
        wants_it = tracker.latest_message.get("intent", {}).get("name") == "affirm"
        group = await asyncio.to_thread(_group, tracker.get_slot("chosen_group"))
        at = reminder_time(group, _now()) if wants_it and group else None
        if at is not None:
            events.append(ReminderScheduled(REMINDER_INTENT, at, name=f"meeting-{group.slug}",
                                            kill_on_user_message=False))
            say(dispatcher, "reminder_set", when=spoken_time(at))
        elif wants_it:
            say(dispatcher, "reminder_unavailable")
        say(dispatcher, "after_choice")
        return events


class ActionRemindNextMeeting(Action):
    """Says when the chosen group next meets: asked by the person, or sent as their reminder."""

    def name(self) -> Text:
        return "action_remind_next_meeting"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        group = await asyncio.to_thread(_group, tracker.get_slot("chosen_group"))
        if group is None or not group.meetings:
            say(dispatcher, "no_group_chosen")
            return []
        say(dispatcher, "next_meeting", name=group.name, when=spoken_time(next_meeting_start(group, _now())),
            where=_how_to_get_there(group))
        return []
