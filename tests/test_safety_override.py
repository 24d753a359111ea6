"""The safety net inside the NLU pipeline overrides the intent before the fallback classifier."""
import pytest
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.safety_override import SafetyNetOverride
from bot.safety.detector import SafetyNet


@pytest.fixture(scope="module")
def component():
    return SafetyNetOverride(SafetyNet())


def parsed(text, intent="greet", confidence=0.3):
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": intent, "confidence": confidence})
    message.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": confidence}, {"name": "thank", "confidence": 0.2}])
    return message


def test_a_crisis_message_becomes_a_certain_express_crisis(component):
    [message] = component.process([parsed("everyone would be better off without me")])
    assert message.get(INTENT) == {"name": "express_crisis", "confidence": 1.0}
    ranking = message.get(INTENT_RANKING_KEY)
    assert ranking[0] == {"name": "express_crisis", "confidence": 1.0}
    assert all(r["confidence"] == 0.0 for r in ranking[1:])
    assert message.get("safety_net") == {"category": "suicidal"}


def test_other_messages_keep_the_classifiers_intent(component):
    [message] = component.process([parsed("this commute is killing me", intent="out_of_scope", confidence=0.8)])
    assert message.get(INTENT) == {"name": "out_of_scope", "confidence": 0.8}
    assert message.get("safety_net") is None


def test_an_empty_message_is_left_alone(component):
    [message] = component.process([parsed("")])
    assert message.get(INTENT)["name"] == "greet"
