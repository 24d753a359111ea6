"""Two-stage fallback: first ask to rephrase, then offer buttons; never guess."""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import say

FALLBACK_INTENT = "nlu_fallback"
# Form questions whose answer is free text (a town nobody has heard of is still an answer):
# the form takes the message as it is, so asking to rephrase would only get in the way.
FREE_TEXT_QUESTIONS = {("preferences_form", "location")}


def consecutive_fallbacks(tracker: Tracker) -> int:
    """How many of the latest user messages in a row were not understood."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if (event.get("parse_data") or {}).get("intent", {}).get("name") != FALLBACK_INTENT:
                break
            count += 1
    return count


class ActionFallback(Action):
    """Asks to rephrase; after a second miss in a row, offers the main options."""

    def name(self) -> Text:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        if ((tracker.active_loop or {}).get("name"), tracker.get_slot("requested_slot")) in FREE_TEXT_QUESTIONS:
            return []
        if consecutive_fallbacks(tracker) >= 2:
            say(dispatcher, "fallback_options")
        else:
            say(dispatcher, "ask_rephrase")
        return []
