"""Reading each platform's payloads and shaping replies to each platform's limits."""
from multidict import MultiDict

from bot.channels.facebook import read_event, with_quick_replies
from bot.channels.slack import SlackInput, SlackSettings
from bot.channels.telegram import keyboard, read_update
from bot.channels.twilio import read_message, sender_country

CONSENT = [{"title": "Yes, that's OK", "payload": "/affirm"}, {"title": "No, don't save it", "payload": "/deny"}]
LONG_TITLES = [{"title": "Yes, just listen at first", "payload": "/affirm"},
               {"title": "No, I'm happy to join in", "payload": "/deny"}]


def private_update(**message) -> dict:
    return {"update_id": 1, "message": {"message_id": 2, "chat": {"id": 7, "type": "private"},
                                        "from": {"id": 7, "language_code": "en-GB"}, **message}}


def test_telegram_buttons_are_an_inline_keyboard_one_per_row():
    assert keyboard(CONSENT) == {"inline_keyboard": [[{"text": "Yes, that's OK", "callback_data": "/affirm"}],
                                                     [{"text": "No, don't save it", "callback_data": "/deny"}]]}


def test_telegram_payload_too_long_for_callback_data_falls_back_to_a_reply_keyboard():
    buttons = [{"title": "Somewhere", "payload": '/inform{"location": "' + "x" * 60 + '"}'}]
    assert keyboard(buttons)["keyboard"] == [[{"text": "Somewhere"}]]


def test_telegram_private_text_is_read_with_the_locale():
    inbound, callback = read_update(private_update(text="hello"))
    assert (inbound.message_id, inbound.sender_id, inbound.text, inbound.metadata) == (
        "1", "telegram:7", "hello", {"locale": "en-GB"})
    assert callback is None


def test_telegram_start_command_is_a_greeting():
    assert read_update(private_update(text="/start campaign-42"))[0].text == "/greet"


def test_telegram_sticker_is_something_the_assistant_cannot_read():
    assert read_update(private_update(sticker={"file_id": "abc"}))[0].text is None


def test_telegram_group_chats_and_edits_are_ignored():
    group = private_update(text="hi")
    group["message"]["chat"]["type"] = "group"
    edit = {"update_id": 3, "edited_message": private_update(text="hi")["message"]}
    assert read_update(group) == (None, None)
    assert read_update(edit) == (None, None)


def test_messenger_quick_replies_carry_the_titles_when_they_fit():
    [message] = with_quick_replies("Is that OK?", CONSENT)
    assert message == {"text": "Is that OK?", "quick_replies": [
        {"content_type": "text", "title": "Yes, that's OK", "payload": "/affirm"},
        {"content_type": "text", "title": "No, don't save it", "payload": "/deny"},
    ]}


def test_messenger_titles_too_long_become_numbered_options_with_numbered_quick_replies():
    [message] = with_quick_replies("Listen first?", LONG_TITLES)
    assert "1. Yes, just listen at first\n2. No, I'm happy to join in" in message["text"]
    assert [(reply["title"], reply["payload"]) for reply in message["quick_replies"]] == [("1", "/affirm"), ("2", "/deny")]


def test_messenger_more_options_than_quick_replies_allow_are_numbered_in_the_text():
    buttons = [{"title": f"Option {n}", "payload": f"/choose{n}"} for n in range(14)]
    messages = with_quick_replies("Pick one", buttons)
    assert all("quick_replies" not in message for message in messages)
    assert "14. Option 13" in messages[-1]["text"]


def test_messenger_echoes_and_receipts_are_ignored_and_attachments_unreadable():
    sender = {"sender": {"id": "99"}}
    assert read_event({**sender, "message": {"mid": "m_1", "text": "hi", "is_echo": True}}) is None
    assert read_event({**sender, "delivery": {"mids": ["m_1"]}}) is None
    photo = read_event({**sender, "message": {"mid": "m_2", "attachments": [{"type": "image"}]}})
    assert (photo.sender_id, photo.text) == ("facebook:99", None)


def test_twilio_media_without_text_is_unreadable_and_text_with_media_is_kept():
    fields = {"From": "+447700900123", "To": "+15005550006", "MessageSid": "SM1", "NumMedia": "1"}
    assert read_message(MultiDict({**fields, "Body": ""})).text is None
    assert read_message(MultiDict({**fields, "Body": "see photo"})).text == "see photo"


def test_twilio_sender_country_prefers_twilios_own_then_the_number():
    assert sender_country(MultiDict({"From": "+447700900123", "FromCountry": "gb"})) == "GB"
    assert sender_country(MultiDict({"From": "whatsapp:+447700900123"})) == "GB"
    assert sender_country(MultiDict({"From": "whatsapp:+14165550123"})) == "CA"
    assert sender_country(MultiDict({"From": "not a number"})) is None


def slack_envelope(**event) -> dict:
    return {"type": "event_callback", "event_id": "Ev1", "authorizations": [{"user_id": "U0BOT"}],
            "event": {"type": "message", "channel": "D1", "user": "U1", "text": "hi <@U0BOT>", "channel_type": "im",
                      **event}}


def test_slack_direct_messages_are_read_without_mentions_of_the_bot():
    channel = SlackInput(SlackSettings("xoxb-test", "secret"))
    inbound, reply_to = channel.read_event(slack_envelope())
    assert (inbound.message_id, inbound.sender_id, inbound.text, reply_to) == ("Ev1", "slack:U1", "hi", "D1")


def test_slack_channel_messages_bot_messages_and_edits_are_ignored():
    channel = SlackInput(SlackSettings("xoxb-test", "secret"))
    assert channel.read_event(slack_envelope(channel_type="channel", channel="C1")) is None
    assert channel.read_event(slack_envelope(bot_id="B1")) is None
    assert channel.read_event(slack_envelope(subtype="message_changed")) is None
