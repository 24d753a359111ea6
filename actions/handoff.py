"""action_handoff_intake: the summary, the stored intake record (with consent) and next steps."""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import say
from bot.database import configured_database
from bot.group_choice import unique_by_slug
from bot.intake import IntakeSummary, save_intake, summary_lines
from bot.notify import email_staff_if_configured

PREFERENCE_SLOTS = ("format", "location", "day", "time_of_day", "leader", "language", "accessibility", "observe_first")


def _shown_groups(tracker: Tracker) -> List[dict]:
    """The groups this person was shown, with scores and reasons, and the one they picked."""
    chosen = tracker.get_slot("chosen_group")
    return [{**entry, "chosen": entry["slug"] == chosen} for entry in unique_by_slug(tracker.get_slot("shown_groups") or [])]


def summary_of(tracker: Tracker, recommendations: List[dict]) -> IntakeSummary:
    """Everything the intake record holds, from the conversation's slots."""
    slots = tracker.current_slot_values()
    consent: Optional[dict] = slots.get("consent_record") if slots.get("consent") is True else None
    return IntakeSummary(
        sender_id=tracker.sender_id,
        channel=tracker.get_latest_input_channel() or "",
        concerns=(slots["concern"],) if slots.get("concern") else (),
        preferences={name: slots[name] for name in PREFERENCE_SLOTS if slots.get(name) is not None},
        consent=consent,
        contact_email=slots.get("contact_email") if consent else None,
        contact_phone=slots.get("contact_phone") if consent else None,
        contact_method=slots.get("contact_method") if consent else None,
        recommendations=recommendations,
        crisis=slots.get("crisis_flag") is True,
    )


def _store(summary: IntakeSummary) -> Optional[int]:
    database = configured_database()
    record_id = save_intake(database.sessions, summary)
    if record_id is not None:
        email_staff_if_configured(database.sessions)
    return record_id


class ActionHandoffIntake(Action):
    """Stores the intake (only with consent), notifies staff and says what happens next."""

    def name(self) -> Text:
        return "action_handoff_intake"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        recommendations = _shown_groups(tracker)
        summary = summary_of(tracker, recommendations)
        if summary.consent is None:
            say(dispatcher, "contact_needs_consent")
            return []
        await asyncio.to_thread(_store, summary)
        say(dispatcher, "handoff_summary_intro")
        dispatcher.utter_message(text="\n".join(summary_lines(summary)))
        how = {"email": "email you", "phone": "call or text you"}.get(summary.contact_method or "", "be in touch")
        say(dispatcher, "handoff_next_steps", how=how)
        return []
