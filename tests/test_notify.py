"""Staff e-mail against a real local SMTP server (aiosmtpd): what is sent, and what never is."""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import socket
from typing import List

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from bot.consent import consent_record
from bot.intake import IntakeSummary, flag_crisis, save_intake
from bot.models import OutboxMessage
from bot.notify import SmtpSettings, send_pending

SENDER_ID = "visitor-7f3a"
PRIVATE = ("bereavement", "sam.person", "example.com", "7700", "900123", "Leeds", SENDER_ID, "Evening Light")
NOW = dt.datetime(2026, 11, 3, 20, 0)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Collector:
    """An aiosmtpd handler that keeps every message, or refuses those after `accept`."""

    def __init__(self, accept: int = 10**6) -> None:
        self.messages: List[email.message.EmailMessage] = []
        self.envelopes = []
        self.accept = accept

    async def handle_DATA(self, server, session, envelope) -> str:
        if len(self.messages) >= self.accept:
            return "554 Transaction failed"
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


def _serve(handler: Collector):
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    return controller


@pytest.fixture
def smtp_server():
    handler = Collector()
    controller = _serve(handler)
    yield handler, controller.port
    controller.stop()


def _settings(port: int, **changes) -> SmtpSettings:
    fields = dict(host="127.0.0.1", port=port, use_tls=False, sender="intake@charity.test",
                  recipients=("duty@charity.test", "team@charity.test"))
    fields.update(changes)
    return SmtpSettings(**fields)


def _fill_outbox(database) -> tuple:
    """One ordinary intake (with health data and contact details), then a crisis for someone else."""
    intake_id = save_intake(database.sessions, IntakeSummary(
        sender_id=SENDER_ID, channel="rest", concerns=("bereavement",),
        preferences={"location": "Leeds"}, consent=consent_record(True, dt.datetime.now(dt.timezone.utc)),
        contact_email="sam.person@example.com", contact_phone="07700 900123", contact_method="email",
        recommendations=[{"id": 1, "slug": "e", "name": "Evening Light", "score": 1.0, "reasons": []}],
    ))
    crisis_id = flag_crisis(database.sessions, "visitor-crisis", "rest")
    return intake_id, crisis_id


def _emailed_at(database) -> list:
    with database.sessions() as session:
        return session.scalars(sa.select(OutboxMessage.emailed_at).order_by(OutboxMessage.id)).all()


def test_sends_urgent_first_without_personal_data_and_only_once(database, smtp_server):
    handler, port = smtp_server
    intake_id, crisis_id = _fill_outbox(database)

    assert send_pending(database.sessions, _settings(port), now=NOW) == 2

    urgent, ordinary = handler.messages
    assert urgent["Subject"].startswith("URGENT: a conversation was flagged for crisis review")
    assert f"intake #{crisis_id}" in urgent.get_content()
    assert ordinary["Subject"].startswith("A new intake is waiting")
    assert f"intake #{intake_id}" in ordinary.get_content()
    for message in handler.messages:
        body = message.get_content()
        assert "staff console" in body
        assert message["From"] == "intake@charity.test"
        whole = message.as_string().replace(message["Message-ID"], "")  # a random id may hold any digits
        for secret in PRIVATE:
            assert secret.lower() not in whole.lower()
    assert handler.envelopes[0].rcpt_tos == ["duty@charity.test", "team@charity.test"]
    assert _emailed_at(database) == [NOW, NOW]

    assert send_pending(database.sessions, _settings(port), now=NOW) == 0
    assert len(handler.messages) == 2


def test_only_new_messages_are_sent_later(database, smtp_server):
    handler, port = smtp_server
    _fill_outbox(database)
    send_pending(database.sessions, _settings(port))
    flag_crisis(database.sessions, "visitor-other", "rest")
    assert send_pending(database.sessions, _settings(port)) == 1
    assert len(handler.messages) == 3


def test_smtp_down_sends_nothing_and_marks_nothing(database, caplog):
    _fill_outbox(database)
    assert send_pending(database.sessions, _settings(_free_port())) == 0
    assert _emailed_at(database) == [None, None]
    assert "could not connect" in caplog.text
    assert SENDER_ID not in caplog.text


def test_starttls_refused_by_the_server_sends_nothing(database, smtp_server):
    handler, port = smtp_server
    _fill_outbox(database)
    assert send_pending(database.sessions, _settings(port, use_tls=True)) == 0
    assert handler.messages == [] and _emailed_at(database) == [None, None]


def test_a_refused_message_is_left_for_later(database, caplog):
    handler = Collector(accept=1)
    controller = _serve(handler)
    try:
        _fill_outbox(database)
        assert send_pending(database.sessions, _settings(controller.port), now=NOW) == 1
    finally:
        controller.stop()
    assert _emailed_at(database) == [None, NOW]  # the urgent (crisis) one went first
    assert "sending failed" in caplog.text


def test_an_empty_outbox_does_not_connect(database):
    assert send_pending(database.sessions, _settings(_free_port())) == 0


# --- settings --------------------------------------------------------------------

def test_from_env_reads_every_setting():
    settings = SmtpSettings.from_env({
        "INTAKE_SMTP_HOST": "smtp.charity.test", "INTAKE_SMTP_PORT": "2525",
        "INTAKE_SMTP_USER": "bot", "INTAKE_SMTP_PASSWORD": "secret", "INTAKE_SMTP_STARTTLS": "false",
        "INTAKE_SMTP_FROM": "intake@charity.test", "INTAKE_STAFF_EMAILS": "a@charity.test, b@charity.test,",
    })
    assert settings == SmtpSettings(
        host="smtp.charity.test", port=2525, username="bot", password="secret", use_tls=False,
        sender="intake@charity.test", recipients=("a@charity.test", "b@charity.test"),
    )


def test_from_env_defaults():
    settings = SmtpSettings.from_env({"INTAKE_SMTP_HOST": "smtp.charity.test",
                                      "INTAKE_STAFF_EMAILS": "duty@charity.test"})
    assert (settings.port, settings.use_tls, settings.username, settings.password) == (587, True, None, None)
    assert settings.sender and settings.recipients == ("duty@charity.test",)


@pytest.mark.parametrize("env", [
    {},
    {"INTAKE_SMTP_HOST": "smtp.charity.test"},
    {"INTAKE_STAFF_EMAILS": "duty@charity.test"},
    {"INTAKE_SMTP_HOST": " ", "INTAKE_STAFF_EMAILS": "duty@charity.test"},
    {"INTAKE_SMTP_HOST": "smtp.charity.test", "INTAKE_STAFF_EMAILS": " , "},
])
def test_email_is_off_without_host_or_recipients(env):
    assert SmtpSettings.from_env(env) is None


@pytest.mark.parametrize("name, value", [
    ("INTAKE_SMTP_PORT", "smtp"), ("INTAKE_SMTP_PORT", "70000"), ("INTAKE_SMTP_STARTTLS", "maybe"),
])
def test_from_env_rejects_bad_values(name, value):
    with pytest.raises(ValueError):
        SmtpSettings.from_env({"INTAKE_SMTP_HOST": "h", "INTAKE_STAFF_EMAILS": "a@b.test", name: value})
