"""action_live_handoff: a person asks for a human; staff join during opening hours."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused
from rasa_sdk.executor import CollectingDispatcher

from actions.messages import say
from bot.live_handoff import plan_handoff
from bot.settings import Settings

ACTION_LISTEN = "action_listen"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class ActionLiveHandoff(Action):
    """Pauses the bot for a staff member during opening hours; otherwise says when someone can chat."""

    def __init__(self, clock: Callable[[], dt.datetime] = _now) -> None:
        self._clock = clock

    def name(self) -> Text:
        return "action_live_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        plan = plan_handoff(Settings.from_env().opening_hours, self._clock())
        say(dispatcher, plan.message, **plan.fields)
        if not plan.pause:
            return []
        # Rasa stops predicting at the pause, before the turn's action_listen. Record it, so that after the
        # resume the next message starts a turn as rules expect (otherwise the crisis rule would not match).
        return [ConversationPaused(), ActionExecuted(ACTION_LISTEN)]
