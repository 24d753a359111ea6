"""The intent classifier: trained, saved and loaded through Rasa's model storage, then predicting."""
import pytest
import skops.io as sio
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.tfidf_intent_classifier import MODEL_FILE, TfidfIntentClassifier

EXAMPLES = {
    "greet": ["hello", "hi there", "good morning", "hey", "hiya", "hello, anyone there?"],
    "goodbye": ["bye", "see you later", "goodbye", "talk soon", "bye for now", "cheers, bye"],
    "ask_privacy": ["who reads this chat", "is my data stored", "do you keep my messages",
                    "who can see what i write", "how long do you keep my data", "is this chat private"],
}


def training_data() -> TrainingData:
    return TrainingData([
        Message(data={TEXT: text, INTENT: intent}) for intent, texts in EXAMPLES.items() for text in texts
    ])


@pytest.fixture()
def storage(tmp_path):
    return LocalModelStorage(tmp_path)


def context() -> ExecutionContext:
    return ExecutionContext(GraphSchema({}), "test")


def trained(storage, resource, config=None):
    component = TfidfIntentClassifier.create(config or {}, storage, resource, context())
    component.train(training_data())
    return component


def test_a_loaded_classifier_predicts_unseen_wordings_with_a_ranking(storage):
    resource = Resource("intents")
    trained(storage, resource, {"ranking_length": 2})
    loaded = TfidfIntentClassifier.load({"ranking_length": 2}, storage, resource, context())
    messages = [Message(data={TEXT: text}) for text in ["hello there!", "ok bye then", "who keeps my data?"]]
    loaded.process(messages)
    assert [m.get(INTENT)["name"] for m in messages] == ["greet", "goodbye", "ask_privacy"]
    ranking = messages[0].get(INTENT_RANKING_KEY)
    assert len(ranking) == 2 and ranking[0] == messages[0].get(INTENT)
    assert ranking[0]["confidence"] >= ranking[1]["confidence"] > 0


def test_a_message_without_text_is_left_alone(storage):
    component = trained(storage, Resource("intents"))
    [message] = component.process([Message(data={TEXT: ""})])
    assert message.get(INTENT) is None


def test_an_untrained_classifier_loads_and_predicts_nothing(storage):
    loaded = TfidfIntentClassifier.load({}, storage, Resource("never_trained"), context())
    [message] = loaded.process([Message(data={TEXT: "hello"})])
    assert message.get(INTENT) is None


def test_a_saved_model_holding_other_types_is_refused(storage):
    resource = Resource("intents")
    with storage.write_to(resource) as directory:
        sio.dump({"payload": Message(data={TEXT: "x"})}, directory / MODEL_FILE)
    with pytest.raises(RuntimeError, match="unexpected types"):
        TfidfIntentClassifier.load({}, storage, resource, context())

