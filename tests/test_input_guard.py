from hypothesis import given, strategies as st

from bot.input_guard import EMPTY_NOTICE, MAX_CHARACTERS, TOO_LONG_NOTICE, clean


def test_ordinary_text_passes_unchanged():
    assert clean("Can I just listen?").text == "Can I just listen?"
    assert clean("Can I just listen?").notices == ()


def test_empty_whitespace_and_non_text_get_a_notice_not_silence():
    for raw in ["", "   \n\t ", None, 42, ["hi"], "\x00\x01"]:
        result = clean(raw)
        assert result.text is None and result.notices == (EMPTY_NOTICE,)


def test_control_characters_and_lone_surrogates_are_removed():
    assert clean("hel\x00lo\x1b there\ud800").text == "hello there"
    assert clean("line one\nline two").text == "line one\nline two"


def test_a_very_long_message_is_cut_at_a_word_with_a_notice():
    result = clean("word " * 4_000)
    assert len(result.text) <= MAX_CHARACTERS and result.text.endswith("word")
    assert result.notices == (TOO_LONG_NOTICE,)


def test_emoji_and_markup_stay_as_text():
    assert clean("🙂🙂").text == "🙂🙂"
    assert clean("<script>alert(1)</script>").text == "<script>alert(1)</script>"


@given(st.text())
def test_cleaned_text_is_never_empty_long_or_unencodable(raw):
    result = clean(raw)
    assert (result.text is None) == bool(result.notices and result.notices[0] == EMPTY_NOTICE)
    if result.text is not None:
        assert 0 < len(result.text) <= MAX_CHARACTERS
        result.text.encode("utf-8")
