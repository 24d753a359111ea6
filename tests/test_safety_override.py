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


@pytest.mark.parametrize("text", ["I'm not suicidal", "I self harmed as a teen but I'm well now, years clean"])
def test_a_crisis_guess_the_net_explains_by_context_gives_way_to_the_next_intent(component, text):
    message = parsed(text, intent="express_crisis", confidence=0.7)
    message.set(INTENT_RANKING_KEY, [{"name": "express_crisis", "confidence": 0.7}, {"name": "share_concern", "confidence": 0.2}])
    [message] = component.process([message])
    assert message.get(INTENT) == {"name": "share_concern", "confidence": 0.2}
    assert [r["name"] for r in message.get(INTENT_RANKING_KEY)] == ["share_concern", "express_crisis"]
    assert message.get("safety_net") == {"set_aside": True}


@pytest.mark.parametrize("text", ["I can't promise I won't hurt myself", "I want to end it all, I'm not ok"])
def test_a_crisis_guess_stays_when_the_net_sees_a_crisis_too(component, text):
    [message] = component.process([parsed(text, intent="express_crisis", confidence=0.7)])
    assert message.get(INTENT)["name"] == "express_crisis"


def test_a_crisis_guess_without_crisis_words_is_left_to_the_classifier(component):
    [message] = component.process([parsed("I just feel so empty and tired of everything", intent="express_crisis", confidence=0.7)])
    assert message.get(INTENT) == {"name": "express_crisis", "confidence": 0.7}
