"""action_session_start: carries slots over and takes the country from channel metadata."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.country import country_from_metadata

NOT_CARRIED_OVER = ("requested_slot", "session_started_metadata")


class ActionSessionStart(Action):
    """Starts a session; crisis_flag and consent survive into the new session."""

    def name(self) -> Text:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        events = [SessionStarted()]
        events += [
            SlotSet(name, value)
            for name, value in tracker.current_slot_values().items()
            if value is not None and name not in NOT_CARRIED_OVER
        ]
        country = country_from_metadata(tracker.get_slot("session_started_metadata"))
        if country:
            events.append(SlotSet("country", country))
        events.append(ActionExecuted("action_listen"))
        return events
