"""The project's spaCy pipeline and the Rasa component that reads it."""
import pytest
import spacy

from bot.spacy_pipeline import build, load_patterns, main


@pytest.fixture(scope="module")
def nlp():
    return build(load_patterns())


def ents(nlp, text):
    return [(e.label_, e.ent_id_) for e in nlp(text.lower()).ents]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("I think I drink too much booze", ("concern", "alcohol")),
        ("I lost my dad in March", ("concern", "bereavement")),
        ("can we do it on zoom", ("format", "online")),
        ("tuesdays after work", ("day", "tuesday")),
        ("something in spanish please", ("language", "es")),
        ("I need step-free access", ("accessibility", "wheelchair")),
    ],
)
def test_patterns_map_free_text_to_canonical_values(nlp, text, expected):
    assert expected in ents(nlp, text)


def test_the_saved_pipeline_loads_from_its_folder(tmp_path):
    assert main([str(tmp_path / "pipeline")]) == 0
    loaded = spacy.load(tmp_path / "pipeline")
    assert loaded.pipe_names == ["lemmatizer", "entity_ruler"]
    # Rasa's count vectors read lemmas; empty ones would leave the word features blank.
    assert [t.lemma_ for t in loaded("meetings helped")] == ["meeting", "help"]
    assert [(e.label_, e.ent_id_) for e in loaded("i have panic attacks").ents] == [("concern", "anxiety")]


def test_extractor_gives_canonical_values_and_puts_family_support_last(nlp):
    from rasa.nlu.constants import SPACY_DOCS
    from rasa.shared.nlu.constants import ENTITIES, TEXT
    from rasa.shared.nlu.training_data.message import Message

    from bot.nlu.rule_entities import RuleEntityExtractor

    text = "My son drinks every night"
    message = Message(data={TEXT: text})
    message.set(SPACY_DOCS[TEXT], nlp(text.lower()))
    RuleEntityExtractor().process([message])
    concerns = [e["value"] for e in message.get(ENTITIES) if e["entity"] == "concern"]
    assert concerns[-1] == "family_support" and "alcohol" in concerns
    assert all(e["extractor"] == "RuleEntityExtractor" for e in message.get(ENTITIES))


def test_every_annotation_in_the_training_data_is_what_the_ruler_finds(nlp):
    """Annotations and patterns must agree, or the entity evaluation lies."""
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data("data/nlu")
    mismatches = []
    for example in data.intent_examples:
        text = example.get("text")
        # A location's value is the text itself, which the ruler leaves as an empty id.
        annotated = {
            (e["start"], e["end"], e["entity"], "" if e["entity"] == "location" else e.get("value"))
            for e in example.get("entities", [])
        }
        found = {(e.start_char, e.end_char, e.label_, e.ent_id_) for e in nlp(text.lower()).ents}
        if annotated != found:
            mismatches.append(text)
    assert mismatches == []


def test_building_into_a_folder_that_does_not_exist_yet(tmp_path):
    target = tmp_path / "fresh-clone" / "models" / "spacy_pipeline"
    assert main([str(target)]) == 0
    assert (target / "meta.json").is_file()


@pytest.mark.parametrize(
    "text,place",
    [("any groups near leeds", "leeds"), ("i live in new york", "new york"), ("my postcode is ls6 2ab", "ls6 2ab")],
)
def test_towns_and_postcodes_are_locations(nlp, text, place):
    assert [(e.label_, e.text) for e in nlp(text).ents if e.label_ == "location"] == [("location", place)]


@pytest.mark.parametrize("text", ["i was reading about groups", "i lost my dad in march", "we had a bath", "i hope so"])
def test_towns_named_like_english_words_are_not_spotted_in_ordinary_sentences(nlp, text):
    assert [e.text for e in nlp(text).ents if e.label_ == "location"] == []


@pytest.mark.parametrize(
    "text,number",
    [
        ("the second one please", "2"),
        ("option 3", "3"),
        ("i'll take the first", "1"),
        ("the top one", "1"),
        ("the last one looks good", "last"),
        ("i'll take the last", "last"),
    ],
)
def test_a_pick_from_the_list_is_a_group_choice(nlp, text, number):
    assert ("group_choice", number) in ents(nlp, text)


def test_ordinals_in_ordinary_sentences_are_not_a_group_choice(nlp):
    assert ents(nlp, "what happens at the first meeting") == []
    assert ents(nlp, "the last time i went out was march") == []
