"""action_ask_<slot>: the forms' questions, with buttons for the common answers."""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import say

FORM_SLOTS = ("format", "location", "day", "time_of_day", "leader", "language", "accessibility", "observe_first")
CONTACT_SLOTS = ("contact_method", "contact_email", "contact_phone")


class _AskQuestion(Action, ABC):
    """Asks for one slot of a form."""

    @property
    @abstractmethod
    def slot(self) -> str:
        """The slot this action asks for."""

    def name(self) -> Text:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        say(dispatcher, f"ask_{self.slot}")
        return []


# One action class per question; rasa-sdk registers every Action subclass.
ASK_ACTIONS = [type(f"ActionAsk_{slot}", (_AskQuestion,), {"slot": slot}) for slot in FORM_SLOTS + CONTACT_SLOTS]
