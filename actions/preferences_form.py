"""validate_preferences_form: keeps only canonical answers, skips location for online-only."""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.messages import say
from bot.matching.geo import locate
from bot.matching.request import DAY_VALUES, FORMAT_PREFERENCES, LEADER_PREFERENCES, TIMES_OF_DAY
from bot.models import ACCESSIBILITY

SKIPPED = "any"  # stored when the person has no preference, so the question is not asked again
NO_NEEDS = "none"
MAX_LOCATION_LENGTH = 80


def _one(value: Any, allowed: Iterable[str]) -> Optional[str]:
    return value if isinstance(value, str) and value in allowed else None


def _many(value: Any, allowed: Iterable[str], skipped: str) -> Optional[List[str]]:
    values = [value] if isinstance(value, str) else list(value or [])
    if skipped in values:
        return [skipped]
    kept = sorted({item for item in values if item in allowed})
    return kept or None


class ValidatePreferencesForm(FormValidationAction):
    """Validation for the preferences form; a rejected answer is asked again."""

    def name(self) -> Text:
        return "validate_preferences_form"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        if tracker.get_slot("format") == "online":
            return [slot for slot in domain_slots if slot != "location"]
        return domain_slots

    def validate_format(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return {"format": _one(value, FORMAT_PREFERENCES)}

    def validate_location(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        if value == SKIPPED:
            return {"location": SKIPPED}
        text = value.strip() if isinstance(value, str) else ""
        if not text or len(text) > MAX_LOCATION_LENGTH:
            say(dispatcher, "location_too_long")
            return {"location": None}
        place = locate(text)
        if place is None:
            say(dispatcher, "location_unknown", place=text)
        return {"location": text}

    def validate_day(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return {"day": _many(value, DAY_VALUES, SKIPPED)}

    def validate_time_of_day(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return {"time_of_day": _one(value, TIMES_OF_DAY + (SKIPPED,))}

    def validate_leader(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return {"leader": _one(value, LEADER_PREFERENCES)}

    def validate_language(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        ok = isinstance(value, str) and (value == SKIPPED or (len(value) == 2 and value.isalpha()))
        return {"language": value.lower() if ok else None}

    def validate_accessibility(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return {"accessibility": _many(value, ACCESSIBILITY, NO_NEEDS)}

    def validate_observe_first(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        return {"observe_first": value if isinstance(value, bool) else None}
