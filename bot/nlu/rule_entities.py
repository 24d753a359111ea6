"""Rasa component: entities from the spaCy EntityRuler, with canonical values."""
from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.nlu.constants import SPACY_DOCS
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.stateless import StatelessComponent


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class RuleEntityExtractor(StatelessComponent, EntityExtractorMixin):
    """Turns the EntityRuler's matches in the spaCy doc into Rasa entities.

    The value is the pattern's id (the canonical value), so "booze" arrives as
    concern `alcohol` without a separate synonym table.
    """

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            doc = message.get(SPACY_DOCS[TEXT])
            if doc is None:
                continue
            text = message.get(TEXT) or ""
            found = [
                {
                    "entity": ent.label_,
                    "value": ent.ent_id_ or text[ent.start_char:ent.end_char],
                    "start": ent.start_char,
                    "end": ent.end_char,
                    "confidence": 1.0,
                }
                for ent in doc.ents
            ]
            # Rasa fills a text slot from the last matching entity. In "my son drinks"
            # the concern is the person's own: supporting a loved one, so it goes last.
            found.sort(key=lambda entity: entity["value"] == "family_support")
            entities = message.get(ENTITIES, []) + self.add_extractor_name(found)
            message.set(ENTITIES, entities, add_to_output=True)
        return messages
