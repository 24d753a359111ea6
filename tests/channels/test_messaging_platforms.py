"""Telegram, Twilio, Messenger and Slack webhooks through a real Rasa server, answered through fake APIs.

One Rasa server (and action server) for the whole module, with all four platforms
on; each platform's API is the loopback fake in fake_platforms.py.
"""
import hashlib
import hmac
import json
import random
import sqlite3
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from twilio.request_validator import RequestValidator

from bot.catalog.seed import seed_if_empty
from bot.database import open_database
from bot.turn_status import TurnProblems, notice
from tests.channels.conftest import (
    CREDENTIALS, FACEBOOK_VERIFY_TOKEN, SLACK_SIGNING_SECRET, TELEGRAM_SECRET, TWILIO_PUBLIC_URL, platform_env,
)
from tests.channels.fake_platforms import wait_until
from tests.integration.servers import start_servers

pytestmark = pytest.mark.integration

CONSENT_BUTTONS = [("Yes, that's OK", "/affirm"), ("No, don't save it", "/deny")]


@pytest.fixture(scope="module")
def rasa(fake_platforms, tmp_path_factory):
    """The real servers with every platform on, sharing a seeded SQLite database."""
    workdir = tmp_path_factory.mktemp("platforms")
    database_url = f"sqlite:///{workdir / 'intake.db'}"
    seed_if_empty(open_database(database_url).sessions)
    running = start_servers(workdir, database_url, extra_env=platform_env(fake_platforms))
    yield running
    running.stop()


def webhook_url(rasa, platform: str, query: str = "") -> str:
    return f"http://127.0.0.1:{rasa.settings.rasa_port}/webhooks/{platform}/webhook{query}"


def post(url: str, body: bytes, headers: dict):
    """(status, body text) of a POST."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=90) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def user_texts(rasa, sender_id: str) -> list:
    """The texts of the person's messages stored in the tracker."""
    path = rasa.settings.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id", (sender_id,),
        ).fetchall()
    return [json.loads(data)["text"] for (data,) in rows]


def event_count(rasa, sender_id: str) -> int:
    path = rasa.settings.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT COUNT(*) FROM events WHERE sender_id = ?", (sender_id,)).fetchone()[0]


def new_id() -> int:
    return random.randrange(10**8, 10**9)


# Telegram ---------------------------------------------------------------------------------

def telegram_message(chat_id: int, text: str, update_id: int = None) -> dict:
    person = {"id": chat_id, "is_bot": False, "first_name": "Sam", "language_code": "en"}
    return {"update_id": update_id or new_id(), "message": {
        "message_id": 17, "from": person, "chat": {"id": chat_id, "first_name": "Sam", "type": "private"},
        "date": int(time.time()), "text": text,
    }}


def telegram_tap(chat_id: int, data: str) -> dict:
    person = {"id": chat_id, "is_bot": False, "first_name": "Sam", "language_code": "en"}
    bot = {"id": 123456789, "is_bot": True, "first_name": "Intake", "username": "intake_test_bot"}
    return {"update_id": new_id(), "callback_query": {
        "id": f"4382{chat_id}", "from": person, "chat_instance": "-7340981255",
        "message": {"message_id": 18, "from": bot, "chat": {"id": chat_id, "type": "private"},
                    "date": int(time.time()), "text": "Is it OK if I save a short summary of this chat?"},
        "data": data,
    }}


def send_telegram(rasa, update: dict, secret: str = TELEGRAM_SECRET):
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    return post(webhook_url(rasa, "telegram"), json.dumps(update).encode(), headers)


def test_telegram_message_is_answered_with_an_inline_keyboard(rasa, fake_platforms):
    chat_id = new_id()
    assert send_telegram(rasa, telegram_message(chat_id, "hi"))[0] == 200
    sent = fake_platforms.calls_where("telegram", chat_id=str(chat_id))
    assert sent and all(call.method == "sendMessage" and call.body["text"] for call in sent)
    keyboards = [call.body["reply_markup"]["inline_keyboard"] for call in sent if "reply_markup" in call.body]
    assert keyboards == [[[{"text": title, "callback_data": payload}] for title, payload in CONSENT_BUTTONS]]
    assert user_texts(rasa, f"telegram:{chat_id}") == ["hi"]


def test_telegram_button_tap_is_acknowledged_and_read_as_its_payload(rasa, fake_platforms):
    chat_id = new_id()
    send_telegram(rasa, telegram_message(chat_id, "/start"))
    update = telegram_tap(chat_id, "/affirm")
    assert send_telegram(rasa, update)[0] == 200
    assert fake_platforms.calls_where("telegram", callback_query_id=update["callback_query"]["id"])
    assert user_texts(rasa, f"telegram:{chat_id}") == ["/greet", "/affirm"]


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", TELEGRAM_SECRET + "x"])
def test_telegram_update_without_the_secret_is_refused_and_not_processed(rasa, fake_platforms, secret):
    chat_id = new_id()
    status, _ = send_telegram(rasa, telegram_message(chat_id, "hi"), secret=secret)
    assert status == 403
    assert fake_platforms.calls_where("telegram", chat_id=str(chat_id)) == []
    assert event_count(rasa, f"telegram:{chat_id}") == 0


def test_telegram_retried_update_is_processed_once(rasa, fake_platforms):
    chat_id = new_id()
    update = telegram_message(chat_id, "hi")
    assert send_telegram(rasa, update)[0] == 200
    replies = len(fake_platforms.calls_where("telegram", chat_id=str(chat_id)))
    assert send_telegram(rasa, update)[0] == 200
    assert len(fake_platforms.calls_where("telegram", chat_id=str(chat_id))) == replies
    assert user_texts(rasa, f"telegram:{chat_id}") == ["hi"]


# Twilio -----------------------------------------------------------------------------------

OUR_SMS_NUMBER = "+15005550006"
OUR_WHATSAPP = "whatsapp:+14155238886"


def uk_mobile() -> str:
    return f"+4477009{random.randrange(10**5):05d}"


def twilio_sms(sender: str, body: str, message_sid: str = None) -> dict:
    sid = message_sid or f"SM{random.getrandbits(128):032x}"
    return {
        "ToCountry": "US", "ToState": "CA", "SmsMessageSid": sid, "NumMedia": "0", "ToCity": "", "FromZip": "",
        "SmsSid": sid, "FromState": "", "SmsStatus": "received", "FromCity": "", "Body": body, "FromCountry": "GB",
        "To": OUR_SMS_NUMBER, "ToZip": "", "NumSegments": "1", "MessageSid": sid,
        "AccountSid": CREDENTIALS.twilio_account_sid, "From": sender, "ApiVersion": "2010-04-01",
    }


def twilio_whatsapp(sender: str, body: str) -> dict:
    sid = f"SM{random.getrandbits(128):032x}"
    return {
        "SmsMessageSid": sid, "NumMedia": "0", "ProfileName": "Sam", "MessageType": "text", "SmsSid": sid,
        "WaId": sender.removeprefix("whatsapp:+"), "SmsStatus": "received", "Body": body, "To": OUR_WHATSAPP,
        "NumSegments": "1", "ReferralNumMedia": "0", "MessageSid": sid,
        "AccountSid": CREDENTIALS.twilio_account_sid, "From": sender, "ApiVersion": "2010-04-01",
    }


def send_twilio(rasa, fields: dict, signature: str = "sign", signed_url: str = TWILIO_PUBLIC_URL):
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if signature == "sign":
        signature = RequestValidator(CREDENTIALS.twilio_auth_token).compute_signature(signed_url, fields)
    if signature is not None:
        headers["X-Twilio-Signature"] = signature
    return post(webhook_url(rasa, "twilio"), urllib.parse.urlencode(fields).encode(), headers)


def test_sms_is_answered_from_our_number_with_numbered_options(rasa, fake_platforms):
    sender = uk_mobile()
    status, body = send_twilio(rasa, twilio_sms(sender, "hi"))
    assert status == 200 and "<Response" in body
    sent = fake_platforms.calls_where("twilio", To=sender)
    assert sent and all(call.body["From"] == OUR_SMS_NUMBER for call in sent)
    assert "\n\n1. Yes, that's OK\n2. No, don't save it\n\nReply with the number of your choice." in sent[-1].body["Body"]


def test_sms_reply_with_a_number_picks_that_option(rasa, fake_platforms):
    sender = uk_mobile()
    send_twilio(rasa, twilio_sms(sender, "hi"))
    assert send_twilio(rasa, twilio_sms(sender, " 2. "))[0] == 200
    assert user_texts(rasa, f"twilio:{sender}") == ["hi", "/deny"]


def test_a_number_without_options_on_offer_stays_text(rasa, fake_platforms):
    sender = uk_mobile()
    send_twilio(rasa, twilio_sms(sender, "hi"))
    send_twilio(rasa, twilio_sms(sender, "1"))  # picks "Yes, that's OK"; the answer has no buttons
    send_twilio(rasa, twilio_sms(sender, "1"))
    assert user_texts(rasa, f"twilio:{sender}") == ["hi", "/affirm", "1"]


def test_whatsapp_is_answered_from_our_whatsapp_sender(rasa, fake_platforms):
    sender = f"whatsapp:{uk_mobile()}"
    assert send_twilio(rasa, twilio_whatsapp(sender, "hello"))[0] == 200
    sent = fake_platforms.calls_where("twilio", To=sender)
    assert sent and all(call.body["From"] == OUR_WHATSAPP for call in sent)


def test_sms_crisis_answer_fits_the_senders_country(rasa, fake_platforms):
    sender = uk_mobile()
    send_twilio(rasa, twilio_sms(sender, "I want to kill myself"))
    assert any("Samaritans" in call.body["Body"] for call in fake_platforms.calls_where("twilio", To=sender))


@pytest.mark.parametrize("how", ["unsigned", "wrong signature", "signed for the internal URL", "body changed"])
def test_twilio_request_not_signed_for_our_public_url_is_refused(rasa, fake_platforms, how):
    sender = uk_mobile()
    fields = twilio_sms(sender, "hi")
    validator = RequestValidator(CREDENTIALS.twilio_auth_token)
    signature = {
        "unsigned": None,
        "wrong signature": RequestValidator("another-token").compute_signature(TWILIO_PUBLIC_URL, fields),
        "signed for the internal URL": validator.compute_signature(webhook_url(rasa, "twilio"), fields),
        "body changed": validator.compute_signature(TWILIO_PUBLIC_URL, {**fields, "Body": "hello"}),
    }[how]
    assert send_twilio(rasa, fields, signature=signature)[0] == 403
    assert fake_platforms.calls_where("twilio", To=sender) == []
    assert event_count(rasa, f"twilio:{sender}") == 0


def test_twilio_retried_message_is_processed_once(rasa, fake_platforms):
    sender = uk_mobile()
    fields = twilio_sms(sender, "hi")
    send_twilio(rasa, fields)
    replies = len(fake_platforms.calls_where("twilio", To=sender))
    assert send_twilio(rasa, fields)[0] == 200
    assert len(fake_platforms.calls_where("twilio", To=sender)) == replies
    assert user_texts(rasa, f"twilio:{sender}") == ["hi"]


# Facebook Messenger -----------------------------------------------------------------------

PAGE_ID = "104888012345678"


def messenger_event(psid: str, message: dict) -> dict:
    now = int(time.time() * 1000)
    return {"object": "page", "entry": [{"id": PAGE_ID, "time": now, "messaging": [{
        "sender": {"id": psid}, "recipient": {"id": PAGE_ID}, "timestamp": now,
        "message": {"mid": f"m_{random.getrandbits(160):040x}", **message},
    }]}]}


def send_messenger(rasa, payload: dict, headers: dict = None):
    body = json.dumps(payload).encode()
    if headers is None:
        digest = hmac.new(CREDENTIALS.facebook_app_secret.encode(), body, hashlib.sha256).hexdigest()
        headers = {"X-Hub-Signature-256": f"sha256={digest}"}
    return post(webhook_url(rasa, "facebook"), body, {"Content-Type": "application/json", **headers})


def messenger_calls(fake_platforms, psid: str) -> list:
    return [call for call in fake_platforms.calls_where("facebook") if call.body["recipient"] == {"id": psid}]


def test_messenger_subscription_check_needs_the_verify_token(rasa):
    query = "?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token="
    assert get(webhook_url(rasa, "facebook", query + FACEBOOK_VERIFY_TOKEN)) == (200, "1158201444")
    assert get(webhook_url(rasa, "facebook", query + "guess"))[0] == 403


def test_messenger_message_is_answered_with_quick_replies(rasa, fake_platforms):
    psid = str(new_id())
    status, body = send_messenger(rasa, messenger_event(psid, {"text": "hi"}))
    assert (status, body) == (200, "EVENT_RECEIVED")
    sent = messenger_calls(fake_platforms, psid)
    assert sent and all(call.body["messaging_type"] == "RESPONSE" and call.body["message"]["text"] for call in sent)
    assert sent[-1].body["message"]["quick_replies"] == [
        {"content_type": "text", "title": title, "payload": payload} for title, payload in CONSENT_BUTTONS
    ]


def test_messenger_quick_reply_is_read_as_its_payload(rasa, fake_platforms):
    psid = str(new_id())
    send_messenger(rasa, messenger_event(psid, {"text": "hi"}))
    send_messenger(rasa, messenger_event(psid, {"text": "Yes, that's OK", "quick_reply": {"payload": "/affirm"}}))
    assert user_texts(rasa, f"facebook:{psid}") == ["hi", "/affirm"]


@pytest.mark.parametrize("how", ["unsigned", "wrong secret", "legacy SHA-1 header only"])
def test_messenger_event_without_a_valid_sha256_signature_is_refused(rasa, fake_platforms, how):
    psid = str(new_id())
    payload = messenger_event(psid, {"text": "hi"})
    body = json.dumps(payload).encode()
    headers = {
        "unsigned": {},
        "wrong secret": {"X-Hub-Signature-256": "sha256=" + hmac.new(b"guess", body, hashlib.sha256).hexdigest()},
        "legacy SHA-1 header only": {"X-Hub-Signature": "sha1=" + hmac.new(
            CREDENTIALS.facebook_app_secret.encode(), body, hashlib.sha1).hexdigest()},
    }[how]
    assert send_messenger(rasa, payload, headers)[0] == 403
    assert messenger_calls(fake_platforms, psid) == []
    assert event_count(rasa, f"facebook:{psid}") == 0


def test_messenger_retried_event_is_processed_once(rasa, fake_platforms):
    psid = str(new_id())
    payload = messenger_event(psid, {"text": "hi"})
    send_messenger(rasa, payload)
    replies = len(messenger_calls(fake_platforms, psid))
    assert send_messenger(rasa, payload)[0] == 200
    assert len(messenger_calls(fake_platforms, psid)) == replies
    assert user_texts(rasa, f"facebook:{psid}") == ["hi"]


# Slack ------------------------------------------------------------------------------------

def slack_direct_message(user: str, channel: str, text: str, event_id: str = None) -> dict:
    ts = f"{time.time():.6f}"
    return {
        "token": "legacy-verification-token", "team_id": "T0TEST", "api_app_id": "A0TEST",
        "event": {"type": "message", "channel": channel, "user": user, "text": text, "ts": ts, "event_ts": ts,
                  "channel_type": "im", "client_msg_id": f"{random.getrandbits(64):x}"},
        "type": "event_callback", "event_id": event_id or f"Ev{random.getrandbits(40):X}",
        "event_time": int(time.time()),
        "authorizations": [{"enterprise_id": None, "team_id": "T0TEST", "user_id": "U0BOT", "is_bot": True,
                            "is_enterprise_install": False}],
        "is_ext_shared_channel": False,
    }


def slack_button_click(user: str, channel: str, value: str) -> bytes:
    payload = {
        "type": "block_actions", "user": {"id": user, "username": "sam", "team_id": "T0TEST"},
        "api_app_id": "A0TEST", "token": "legacy-verification-token", "trigger_id": f"{new_id()}.{new_id()}.abc",
        "container": {"type": "message", "message_ts": f"{time.time():.6f}", "channel_id": channel,
                      "is_ephemeral": False},
        "team": {"id": "T0TEST", "domain": "example"}, "channel": {"id": channel, "name": "directmessage"},
        "response_url": "https://hooks.slack.com/actions/T0TEST/1/abc",
        "actions": [{"action_id": "a1", "block_id": "b1", "text": {"type": "plain_text", "text": "Yes, that's OK"},
                     "value": value, "type": "button", "action_ts": f"{time.time():.6f}"}],
    }
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()


def slack_signature(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def send_slack(rasa, body: bytes, content_type: str = "application/json", secret: str = SLACK_SIGNING_SECRET,
               age_seconds: int = 0, extra_headers: dict = None):
    timestamp = str(int(time.time()) - age_seconds)
    headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp, **(extra_headers or {})}
    if secret is not None:
        headers["X-Slack-Signature"] = slack_signature(secret, timestamp, body)
    return post(webhook_url(rasa, "slack"), body, headers)


def slack_ids():
    return f"U{new_id()}", f"D{new_id()}"


def answered_in_slack(fake_platforms, channel: str, count: int = 1) -> list:
    return fake_platforms.wait_for("slack", count=count, channel=channel)


def test_slack_url_verification_is_answered(rasa):
    body = json.dumps({"token": "t", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                       "type": "url_verification"}).encode()
    status, answer = send_slack(rasa, body)
    assert status == 200 and json.loads(answer) == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


def test_slack_direct_message_is_answered_with_buttons(rasa, fake_platforms):
    user, channel = slack_ids()
    assert send_slack(rasa, json.dumps(slack_direct_message(user, channel, "hi")).encode())[0] == 200
    assert wait_until(lambda: any("blocks" in call.body for call in fake_platforms.calls_where("slack", channel=channel)))
    with_buttons = [call for call in fake_platforms.calls_where("slack", channel=channel) if "blocks" in call.body]
    buttons = with_buttons[0].body["blocks"][1]["elements"]
    assert [(button["text"]["text"], button["value"]) for button in buttons] == CONSENT_BUTTONS


def test_slack_button_click_is_read_as_its_value(rasa, fake_platforms):
    user, channel = slack_ids()
    send_slack(rasa, json.dumps(slack_direct_message(user, channel, "hi")).encode())
    answered_in_slack(fake_platforms, channel)
    send_slack(rasa, slack_button_click(user, channel, "/affirm"), "application/x-www-form-urlencoded")
    assert wait_until(lambda: user_texts(rasa, f"slack:{user}") == ["hi", "/affirm"])


@pytest.mark.parametrize("how", ["unsigned", "wrong secret", "replayed after the window"])
def test_slack_request_not_freshly_signed_is_refused(rasa, fake_platforms, how):
    user, channel = slack_ids()
    body = json.dumps(slack_direct_message(user, channel, "hi")).encode()
    signing = {"unsigned": dict(secret=None), "wrong secret": dict(secret="guess"),
               "replayed after the window": dict(age_seconds=6 * 60)}[how]
    assert send_slack(rasa, body, **signing)[0] == 403
    # A valid message after it is answered; the refused one never is.
    other_user, other_channel = slack_ids()
    send_slack(rasa, json.dumps(slack_direct_message(other_user, other_channel, "hi")).encode())
    assert answered_in_slack(fake_platforms, other_channel)
    assert fake_platforms.calls_where("slack", channel=channel) == []
    assert event_count(rasa, f"slack:{user}") == 0


def test_slack_retry_of_an_event_is_processed_once(rasa, fake_platforms):
    user, channel = slack_ids()
    body = json.dumps(slack_direct_message(user, channel, "hi")).encode()
    send_slack(rasa, body)
    assert wait_until(lambda: user_texts(rasa, f"slack:{user}") == ["hi"])
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"}
    assert send_slack(rasa, body, extra_headers=retry)[0] == 200
    # Then a new message: once it is stored, the retry had its chance to be processed.
    send_slack(rasa, json.dumps(slack_direct_message(user, channel, "thanks")).encode())
    assert wait_until(lambda: "thanks" in user_texts(rasa, f"slack:{user}"))
    assert user_texts(rasa, f"slack:{user}") == ["hi", "thanks"]


# A failed action (last: it stops the module's action server) ------------------------------

def test_a_failed_action_is_told_to_the_person_and_is_not_followed_by_a_silence_notice(rasa, fake_platforms):
    chat_id = new_id()
    for text in ("hi", "yes that's fine", "I've been drinking way too much lately"):
        send_telegram(rasa, telegram_message(chat_id, text))
    answered = len(fake_platforms.calls_where("telegram", chat_id=str(chat_id)))
    actions = rasa.processes[0]  # start_servers starts the action server first
    actions.terminate()
    actions.wait(timeout=20)
    # Showing groups needs the action server: Rasa itself says nothing.
    assert send_telegram(rasa, telegram_message(chat_id, "can you just show me some groups"))[0] == 200
    texts = [call.body["text"] for call in fake_platforms.calls_where("telegram", chat_id=str(chat_id))[answered:]]
    assert texts == [notice(TurnProblems(failed_actions=["x"]), rasa.settings.org_contact)]
