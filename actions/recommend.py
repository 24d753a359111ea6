"""action_recommend_groups: ranks the catalog for the person and shows the best groups."""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import messages, say
from actions.slots import match_request
from bot.database import configured_database
from bot.group_choice import shown_entries
from bot.matching import Recommendations, rank

PAGE_SIZE = 3


def _recommend(request) -> Recommendations:
    database = configured_database()
    return rank(database.catalog(), request)


def format_match(position: int, match) -> str:
    """One group as a short, plain-text message."""
    reasons = "; ".join(match.reasons[:4])
    return f"{position}. {match.group.name}: {reasons}."


def pick_button(position: int) -> dict:
    """The button that picks the group shown under `position`."""
    title = messages()["pick_group_button"]["text"].format(position=position)
    return {"title": title, "payload": f'/choose_group{{"group_choice": "{position}"}}'}


class ActionRecommendGroups(Action):
    """Shows up to three groups, each with why it fits; "show me more" pages on."""

    def name(self) -> Text:
        return "action_recommend_groups"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        more = tracker.latest_message.get("intent", {}).get("name") == "request_more"
        offset = int(tracker.get_slot("results_offset") or 0) + PAGE_SIZE if more else 0
        request = match_request(tracker, limit=PAGE_SIZE, offset=offset)
        if request is None:
            dispatcher.utter_message(response="utter_ask_concern")
            return []
        result = await asyncio.to_thread(_recommend, request)
        for note in result.notes:
            dispatcher.utter_message(text=note)
        if not result.matches:
            if more:
                say(dispatcher, "no_more_groups")
            return [SlotSet("results_offset", offset), SlotSet("recommended_groups", [])]
        say(dispatcher, "groups_intro")
        for position, match in enumerate(result.matches, start=offset + 1):
            dispatcher.utter_message(text=format_match(position, match), buttons=[pick_button(position)])
        say(dispatcher, "after_groups")
        shown = list(tracker.get_slot("shown_groups") or []) + shown_entries(result.matches, offset + 1)
        return [
            SlotSet("results_offset", offset),
            SlotSet("recommended_groups", [match.group.slug for match in result.matches]),
            SlotSet("shown_groups", shown),
        ]
