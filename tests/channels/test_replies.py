"""Long texts and buttons on platforms with limits: split between paragraphs, numbered options."""
from hypothesis import given, strategies as st

from bot.channels.replies import chosen_payload, numbered_options, option_number, parts_before_buttons, split_text

BUTTONS = [{"title": "In person", "payload": '/inform{"format": "in_person"}'},
           {"title": "Online", "payload": '/inform{"format": "online"}'}]


def test_short_text_is_one_message():
    assert split_text("Hello.\n\nHow are you?", 1600) == ["Hello.\n\nHow are you?"]


def test_long_text_is_cut_between_paragraphs():
    first, second = "a" * 30, "b" * 30
    assert split_text(f"{first}\n\n{second}", 40) == [first, second]


def test_a_paragraph_longer_than_the_limit_is_cut_between_words():
    assert split_text("one two three four", 9) == ["one two", "three", "four"]


def test_a_word_longer_than_the_limit_is_cut_anyway():
    assert split_text("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


@given(st.text(alphabet=st.sampled_from("ab \n"), max_size=300), st.integers(min_value=1, max_value=50))
def test_split_messages_respect_the_limit_and_keep_every_word(text, limit):
    messages = split_text(text, limit)
    assert all(0 < len(message) <= limit for message in messages)
    assert "".join("".join(messages).split()) == "".join(text.split())


def test_buttons_always_have_a_message_to_sit_on():
    assert parts_before_buttons("", 100) == ["Please choose:"]
    assert parts_before_buttons("Which one?", 100) == ["Which one?"]


def test_options_are_numbered_under_the_text():
    assert numbered_options("How would you like to meet?", BUTTONS) == (
        "How would you like to meet?\n\n1. In person\n2. Online\n\nReply with the number of your choice."
    )


def test_a_reply_that_is_only_a_number_names_an_option():
    assert [option_number(reply) for reply in ["2", " 2 ", "2.", "2)", "12"]] == [2, 2, 2, 2, 12]
    assert [option_number(reply) for reply in ["", "two", "2 please", "1.5", "-1", "123"]] == [None] * 6


def test_only_numbers_on_the_list_pick_an_option():
    assert chosen_payload(2, BUTTONS) == '/inform{"format": "online"}'
    assert chosen_payload(0, BUTTONS) is None
    assert chosen_payload(3, BUTTONS) is None
