"""The static crisis replies say exactly what the resources file says."""
import datetime as dt

import pytest
import yaml

from bot.country import country_from_metadata

RESOURCES = yaml.safe_load(open("bot/safety/crisis_resources.yml"))
DOMAIN = yaml.safe_load(open("domain.yml"))


def crisis_variations():
    variations = {}
    for variation in DOMAIN["responses"]["utter_crisis_immediate"]:
        conditions = variation.get("condition") or []
        country = next((c["value"] for c in conditions if c["name"] == "country"), None)
        variations[country] = variation["text"]
    return variations


def test_resources_say_when_they_were_last_checked():
    checked = RESOURCES["last_checked"]
    assert isinstance(checked, dt.date) and checked <= dt.date.today()


@pytest.mark.parametrize("country", sorted(RESOURCES["countries"]))
def test_each_country_reply_gives_its_helplines_and_emergency_number(country):
    text = crisis_variations()[country]
    entry = RESOURCES["countries"][country]
    assert f"call {entry['emergency']}" in text
    for line in entry["lines"]:
        number = line["how"].split(" to ")[-1].split(" (")[0].replace("call or text ", "").replace("call ", "")
        assert number in text, (country, number)


def test_every_reply_says_it_is_automated_and_points_to_people():
    for text in crisis_variations().values():
        assert "automated assistant" in text
        assert "please reach a person now" in text


def test_without_a_country_the_reply_gives_112_and_offers_local_help():
    text = crisis_variations()[None]
    assert RESOURCES["default"]["emergency"] in text
    assert "which country" in text


def test_no_country_reply_is_left_without_a_resource_entry():
    assert set(crisis_variations()) - {None} == set(RESOURCES["countries"])


@pytest.mark.parametrize(
    "metadata,expected",
    [({"country": "gb"}, "GB"), ({"locale": "en-US"}, "US"), ({"locale": "en_AU"}, "AU"),
     ({"locale": "en"}, None), ({"country": "Britain"}, None), (None, None), ("GB", None)],
)
def test_country_comes_from_channel_metadata(metadata, expected):
    assert country_from_metadata(metadata) == expected
