"""Builds the project's spaCy pipeline: blank English, a lookup lemmatizer and an EntityRuler.

The patterns live in bot/resources/entity_patterns.jsonl; each pattern's `id` is
the contract's canonical value ("booze" -> concern `alcohol`). Rasa's SpacyNLP
loads the saved pipeline by path (see config.yml).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import spacy
from spacy.language import Language

from bot.nlu.location_patterns import location_patterns

PATTERNS = Path(__file__).resolve().parent / "resources" / "entity_patterns.jsonl"


def load_patterns(path: Path = PATTERNS) -> list:
    """The EntityRuler patterns, one JSON object per non-empty line."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def build(patterns: list) -> Language:
    """Blank English with a lookup lemmatizer and an EntityRuler holding `patterns`."""
    nlp = spacy.blank("en")
    # Rasa's count vectors featurise lemmas: without a lemmatizer every lemma is
    # empty and the word features carry nothing. The tables ship in spacy-lookups-data.
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True})
    ruler.add_patterns(patterns + location_patterns())
    return nlp


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: python -m bot.spacy_pipeline OUTPUT_DIR", file=sys.stderr)
        return 2
    nlp = build(load_patterns())
    nlp.meta["name"] = "intake_rules"
    nlp.meta["description"] = "Blank English plus the intake assistant's entity patterns."
    # A fresh clone has no models/ folder, and to_disk does not create parents.
    Path(argv[0]).parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(argv[0])
    print(f"Saved the spaCy pipeline ({len(nlp.get_pipe('entity_ruler'))} patterns) to {argv[0]}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
