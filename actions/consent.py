"""Consent is recorded only by these actions, and only right after it was asked."""
from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.consent import consent_record

CONSENT_QUESTION = "utter_ask_consent"


def last_bot_response(tracker: Tracker) -> Optional[str]:
    """The name of the last response or action the bot ran before the latest message."""
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return None
            seen_user = True
        elif seen_user and event.get("event") == "action" and event.get("name") != "action_listen":
            return event.get("name")
    return None


class _ConsentAction(Action, ABC):
    """Records the answer to the consent question; subclasses say which answer."""

    @property
    @abstractmethod
    def given(self) -> bool:
        """The answer this action records."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        # A typed "/affirm" elsewhere in the chat must not count as consent.
        if last_bot_response(tracker) != CONSENT_QUESTION:
            return []
        return [
            SlotSet("consent", self.given),
            SlotSet("consent_record", consent_record(self.given, dt.datetime.now(dt.timezone.utc))),
        ]


class ActionRecordConsent(_ConsentAction):
    """The person agreed that a summary may be stored."""

    given = True

    def name(self) -> Text:
        return "action_record_consent"


class ActionDeclineConsent(_ConsentAction):
    """The person said no: nothing is stored, and we say so."""

    given = False

    def name(self) -> Text:
        return "action_decline_consent"
