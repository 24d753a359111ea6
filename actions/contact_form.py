"""validate_contact_form: how to reach the person, validated; nothing is asked without consent."""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.messages import say
from bot.intake import normalise_email, normalise_phone


def contact_method_of(text: Any) -> Optional[str]:
    """'email' or 'phone' from a free-text answer, else None."""
    words = str(text or "").lower()
    if "mail" in words:
        return "email"
    if any(word in words for word in ("phone", "call", "text", "sms", "mobile", "whatsapp", "ring")):
        return "phone"
    return None


class ValidateContactForm(FormValidationAction):
    """Asks for the contact method, then the matching address or number."""

    def name(self) -> Text:
        return "validate_contact_form"

    async def required_slots(
        self,
        domain_slots: List[Text],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> List[Text]:
        # Declining to be saved is respected here too: no contact details at all.
        if tracker.get_slot("consent") is not True:
            return []
        wanted = "contact_email" if tracker.get_slot("contact_method") == "email" else "contact_phone"
        return ["contact_method", wanted]

    def validate_contact_method(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        method = contact_method_of(value)
        if method is None:
            say(dispatcher, "contact_method_unclear")
        return {"contact_method": method}

    def validate_contact_email(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        email = normalise_email(str(value or ""))
        if email is None:
            say(dispatcher, "email_invalid")
        return {"contact_email": email}

    def validate_contact_phone(self, value: Any, dispatcher, tracker, domain) -> Dict[Text, Any]:
        phone = normalise_phone(str(value or ""), region=tracker.get_slot("country") or "GB")
        if phone is None:
            say(dispatcher, "phone_invalid")
        return {"contact_phone": phone}
