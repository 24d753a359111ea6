"""Resolving which shown group the person means."""
from bot.group_choice import find_choice, ics_filename, unique_by_slug

FIRST_SEARCH = [{"slug": "a", "name": "Alpha Circle", "position": 1}, {"slug": "b", "name": "Beta Group", "position": 2}]
SECOND_SEARCH = [{"slug": "c", "name": "Gamma Meet", "position": 1}, {"slug": "a", "name": "Alpha Circle", "position": 2}]


def test_a_number_means_the_latest_list_because_each_search_numbers_from_one():
    assert find_choice(FIRST_SEARCH + SECOND_SEARCH, "1", "number 1")["slug"] == "c"
    assert find_choice(FIRST_SEARCH, "2", "the second one")["slug"] == "b"


def test_last_means_the_end_of_the_latest_list():
    assert find_choice(FIRST_SEARCH + SECOND_SEARCH, "last", "the last one")["slug"] == "a"
    assert find_choice([], "last", "the last one") is None


def test_a_name_is_matched_without_regard_to_case_and_an_unknown_choice_is_none():
    assert find_choice(FIRST_SEARCH, None, "i like beta group")["slug"] == "b"
    assert find_choice(FIRST_SEARCH, "7", "number 7") is None
    assert find_choice(FIRST_SEARCH, None, "that one") is None


LONG_NAMES = [
    {"slug": "h", "name": "Harbour Lights Recovery Circle", "position": 1},
    {"slug": "o", "name": "Off the Table Morning Check-in", "position": 2},
    {"slug": "d1", "name": "Dry Dock Sunday Mornings", "position": 3},
    {"slug": "d2", "name": "Dry Dock Evening Group", "position": 4},
]


def test_a_long_name_is_matched_by_its_first_two_words_when_only_one_group_fits():
    assert find_choice(LONG_NAMES, None, "the Harbour Lights one please")["slug"] == "h"
    assert find_choice(LONG_NAMES, None, "the dry dock one") is None  # two groups start so
    assert find_choice(LONG_NAMES, None, "take me off the list") is None  # "off the" says nothing
    assert find_choice(LONG_NAMES, None, "harbouring doubts") is None


def test_each_group_is_kept_once_in_first_shown_order_with_its_latest_entry():
    assert [(g["slug"], g["position"]) for g in unique_by_slug(FIRST_SEARCH + SECOND_SEARCH)] == [("a", 2), ("b", 2), ("c", 1)]


def test_the_calendar_file_name_is_safe():
    assert ics_filename("Leeds/../Monday Group") == "leeds-monday-group.ics"
