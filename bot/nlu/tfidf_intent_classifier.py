"""Rasa component: intent classification by logistic regression over TF-IDF word and character n-grams.

It replaced DIET in this project. Without pretrained embeddings DIET scored about
0.81 macro-F1 on a held-out fifth of our data, this about 0.93 (README, "Design
notes"), it trains in seconds, and it parses a message in about a millisecond.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline, make_union

logger = logging.getLogger(__name__)

# The only non-default type in a saved model (TfidfTransformer keeps its idf as a
# sparse diagonal); anything else in the file is refused rather than unpickled.
TRUSTED_TYPES = ["scipy.sparse._csr.csr_matrix"]
MODEL_FILE = "intent_classifier.skops"


def build_pipeline(config: Dict[Text, Any]) -> Pipeline:
    """Word and character n-gram TF-IDF features feeding a logistic regression."""
    words = TfidfVectorizer(
        ngram_range=tuple(config["word_ngrams"]), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b"
    )
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=tuple(config["char_ngrams"]), sublinear_tf=True)
    classifier = LogisticRegression(C=config["C"], max_iter=config["max_iter"], random_state=config["random_seed"])
    return make_pipeline(make_union(words, chars), classifier)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class TfidfIntentClassifier(GraphComponent, IntentClassifier):
    """Predicts the intent and a ranking of the most likely intents from the message text."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "C": 100.0,
            "word_ngrams": [1, 2],
            "char_ngrams": [2, 5],
            "max_iter": 5000,
            "random_seed": 42,
            "ranking_length": 10,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        pipeline: Optional[Pipeline] = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self._pipeline = pipeline

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "TfidfIntentClassifier":
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Fit on every example that has both text and intent, then save."""
        examples = [e for e in training_data.intent_examples if e.get(TEXT) and e.get(INTENT)]
        if len({e.get(INTENT) for e in examples}) < 2:
            logger.warning("TfidfIntentClassifier needs at least two intents with examples; not trained.")
            return self._resource
        pipeline = build_pipeline(self._config)
        pipeline.fit([e.get(TEXT) for e in examples], [e.get(INTENT) for e in examples])
        self._pipeline = pipeline
        self._persist()
        return self._resource

    def process(self, messages: List[Message]) -> List[Message]:
        """Set the intent and the ranking on each message that has text."""
        texted = [m for m in messages if m.get(TEXT)]
        if self._pipeline is None or not texted:
            return messages
        names = self._pipeline.classes_
        for message, probabilities in zip(texted, self._pipeline.predict_proba([m.get(TEXT) for m in texted])):
            ranking = sorted(
                ({"name": str(name), "confidence": float(p)} for name, p in zip(names, probabilities)),
                key=lambda r: -r["confidence"],
            )
            message.set(INTENT, ranking[0], add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking[: self._config["ranking_length"]], add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def _persist(self) -> None:
        import skops.io as sio

        with self._storage.write_to(self._resource) as directory:
            sio.dump(self._pipeline, directory / MODEL_FILE)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "TfidfIntentClassifier":
        """Load the saved classifier, refusing a file that holds any unexpected type."""
        try:
            with model_storage.read_from(resource) as directory:
                return cls(config, model_storage, resource, _load_pipeline(directory / MODEL_FILE))
        except ValueError:  # Rasa's way of saying the component was never trained
            logger.warning("TfidfIntentClassifier was not trained; it will predict no intent.")
            return cls(config, model_storage, resource)


def _load_pipeline(path: Path) -> Pipeline:
    """Load a saved pipeline, refusing a file that holds any type beyond scikit-learn's and TRUSTED_TYPES."""
    import skops.io as sio

    unexpected = set(sio.get_untrusted_types(file=path)) - set(TRUSTED_TYPES)
    if unexpected:
        raise RuntimeError(f"refusing to load {path.name}: unexpected types {sorted(unexpected)}")
    return sio.load(path, trusted=TRUSTED_TYPES)
