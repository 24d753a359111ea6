"""Rasa component: the rule-based safety net, overriding the intent on every message.

It runs after the intent classifier and before the FallbackClassifier, so a crisis message that
the classifier scored low is still answered as a crisis rather than "please rephrase".
It also overrules the classifier the other way, in one narrow case: it guessed a
crisis from its words, and the net found those crisis words but explained
every one by its context ("I'm not suicidal", "I self-harmed years ago, I'm
well now"). A bag of words cannot read negation or tense; the net can.
"""
from __future__ import annotations

from typing import List, Optional

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.ranking import make_certain
from bot.nlu.stateless import StatelessComponent
from bot.safety.detector import SafetyNet

CRISIS_INTENT = "express_crisis"


def override_intent(message: Message, category: str) -> None:
    """Make express_crisis the certain top intent and record the category."""
    make_certain(message, CRISIS_INTENT)
    message.set("safety_net", {"category": category}, add_to_output=True)


def set_crisis_aside(message: Message) -> None:
    """Make the best non-crisis intent the top intent, keeping its own confidence."""
    others = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != CRISIS_INTENT]
    if not others:
        return
    message.set(INTENT, dict(others[0]), add_to_output=True)
    message.set(INTENT_RANKING_KEY, others + [{"name": CRISIS_INTENT, "confidence": 0.0}], add_to_output=True)
    message.set("safety_net", {"set_aside": True}, add_to_output=True)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SafetyNetOverride(StatelessComponent, IntentClassifier):
    """Sets the intent to express_crisis whenever the safety net fires (and sets it aside as above)."""

    def __init__(self, net: Optional[SafetyNet] = None) -> None:
        self._net = net or SafetyNet()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            result = self._net.check(text)
            if result.crisis:
                override_intent(message, result.category)
            elif result.set_aside and (message.get(INTENT) or {}).get("name") == CRISIS_INTENT:
                set_crisis_aside(message)
        return messages
