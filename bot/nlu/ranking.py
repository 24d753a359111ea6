"""Changing a parsed message's intent after the classifier, for the rule-based components."""
from __future__ import annotations

from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message


def make_certain(message: Message, intent: str) -> None:
    """Make `intent` the top intent with confidence 1.0 and every other intent 0.0."""
    others = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != intent]
    ranking = [{"name": intent, "confidence": 1.0}] + [{**r, "confidence": 0.0} for r in others]
    message.set(INTENT, {"name": intent, "confidence": 1.0}, add_to_output=True)
    message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
