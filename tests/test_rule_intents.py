"""Message shapes whose intent a rule decides: bare preference values, other scripts, lone emoji."""
import pytest
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.rule_entities import RuleEntityExtractor
from bot.nlu.rule_intents import RuleIntentClassifier
from bot.spacy_pipeline import build, load_patterns


@pytest.fixture(scope="module")
def nlp():
    return build(load_patterns())


def classify(nlp, text, guess="request_human"):
    """Run the project's entity rules, a stand-in classifier guess, then the component."""
    message = Message(data={TEXT: text})
    message.set(SPACY_DOCS[TEXT], nlp(text.lower()))
    RuleEntityExtractor().process([message])
    message.set(INTENT, {"name": guess, "confidence": 0.4})
    message.set(INTENT_RANKING_KEY, [{"name": guess, "confidence": 0.4}, {"name": "inform", "confidence": 0.3}])
    [message] = RuleIntentClassifier().process([message])
    return message


@pytest.mark.parametrize("text", ["Derby please", "mon and wed", "Urdu or Punjabi", "online", "BSL please", "E17 4PP"])
def test_bare_preference_values_are_a_certain_inform(nlp, text):
    message = classify(nlp, text)
    assert message.get(INTENT) == {"name": "inform", "confidence": 1.0}
    assert message.get(INTENT_RANKING_KEY) == [
        {"name": "inform", "confidence": 1.0},
        {"name": "request_human", "confidence": 0.0},
    ]


@pytest.mark.parametrize("text", ["こんにちは", "请帮帮我", "Привет, мне нужна помощь", "مرحبا"])
def test_a_message_in_another_script_is_other_language(nlp, text):
    assert classify(nlp, text).get(INTENT) == {"name": "other_language", "confidence": 1.0}


@pytest.mark.parametrize(
    "text,intent", [("👍", "affirm"), ("👍🏽👍", "affirm"), ("✔️", "affirm"), ("👎", "deny"), ("🙏", "thank")]
)
def test_a_lone_yes_no_or_thanks_emoji_is_that_intent(nlp, text, intent):
    assert classify(nlp, text).get(INTENT) == {"name": intent, "confidence": 1.0}


@pytest.mark.parametrize(
    "text",
    [
        "can i talk to someone in Derby",  # words beyond the preference: the classifier decides
        "is the online group any good",
        "grief",  # a concern is not a preference
        "the second one",  # nor is a choice from the list
        "thanks",  # no entity at all
        "do you have a group in русский",  # mostly Latin letters
        "👍👎",  # emoji that disagree
        "👍 sounds good",
        "😊",  # an emoji with no clear answer in it
        "",
    ],
)
def test_other_messages_keep_the_classifiers_guess(nlp, text):
    assert classify(nlp, text).get(INTENT)["name"] == "request_human"
