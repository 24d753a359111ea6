"""Rasa component: intents that rules decide better than the classifier's n-grams.

A bag of n-grams guesses from the few words it has seen, so it is weakest on
messages made of words it has rarely or never met. Three shapes of such
messages have a clear meaning, and this component makes that meaning the
certain intent:

- only preference values ("Derby please", "mon and wed", "Urdu or Punjabi"):
  every word is inside a preference entity or is a filler word -> `inform`;
- mostly letters of a non-Latin script ("こんにちは", "请帮帮我") -> `other_language`;
- only a yes, no or thanks emoji ("👍", "👎", "🙏") -> `affirm`, `deny`, `thank`.

It runs after the classifier and before the safety net, which still overrides it.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any, Dict, List, Optional, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.ranking import make_certain
from bot.nlu.stateless import StatelessComponent

# `concern` and `group_choice` are not here: naming a concern or a listed group is not a preference.
PREFERENCE_ENTITIES = frozenset(
    {"format", "leader", "day", "time_of_day", "language", "accessibility", "location", "country"}
)
# Words that add nothing to an answer: politeness, joining words and hedges.
FILLER_WORDS = frozenset(
    "please pls plz thanks ok okay and or & in on at near around the a an only just "
    "preferably ideally maybe probably perhaps".split()
)
EMOJI_INTENTS = {"👍": "affirm", "👌": "affirm", "✅": "affirm", "✔": "affirm", "👎": "deny", "❌": "deny", "🙏": "thank"}
# Skin tones and the emoji variation selector change how an emoji looks, not what it says.
EMOJI_MODIFIERS = re.compile("[\U0001F3FB-\U0001F3FF\uFE0F\\s]")
WORD = re.compile(r"[\w']+")


def is_preference_answer(text: str, entities: List[Dict[Text, Any]]) -> bool:
    """True when the entities are all preferences and every other word is a filler word."""
    if not entities or any(e.get("entity") not in PREFERENCE_ENTITIES for e in entities):
        return False
    rest = text
    for entity in sorted(entities, key=lambda e: -e["start"]):
        rest = rest[: entity["start"]] + " " + rest[entity["end"] :]
    return all(word in FILLER_WORDS for word in WORD.findall(rest.lower()))


def is_mostly_non_latin(text: str) -> bool:
    """True when more than half of the letters belong to a script other than Latin."""
    letters = [c for c in text if c.isalpha()]
    return bool(letters) and sum("LATIN" not in unicodedata.name(c, "") for c in letters) * 2 > len(letters)


def emoji_intent(text: str) -> Optional[str]:
    """The intent of a message made only of known emoji that all say the same thing."""
    intents = {EMOJI_INTENTS.get(c) for c in EMOJI_MODIFIERS.sub("", text)}
    return intents.pop() if len(intents) == 1 and None not in intents else None


def rule_intent(text: str, entities: List[Dict[Text, Any]]) -> Optional[str]:
    """The intent a rule gives this message, or None when the classifier should decide."""
    if is_preference_answer(text, entities):
        return "inform"
    if is_mostly_non_latin(text):
        return "other_language"
    return emoji_intent(text)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RuleIntentClassifier(StatelessComponent, IntentClassifier):
    """Makes a rule's intent the certain intent for the message shapes listed above."""

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            intent = rule_intent(text, message.get(ENTITIES) or []) if text else None
            if intent:
                make_certain(message, intent)
        return messages
