"""action_delete_data: erases the person's intake records and, after this turn, the transcript."""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import AllSlotsReset
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import say
from bot.database import configured_database
from bot.erasure import erase_intake_records


class ActionDeleteData(Action):
    """Deletes intake records now; the tracker store deletes the events once this turn is saved."""

    def name(self) -> Text:
        return "action_delete_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        database = configured_database()
        await asyncio.to_thread(erase_intake_records, database.engine, tracker.sender_id)
        say(dispatcher, "data_deleted")
        return [AllSlotsReset()]
