"""The intake hand-off: consent-gated storage, crisis flags, the staff outbox, validation."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa

from bot.consent import CONSENT_VERSION, consent_record
from bot.intake import (
    IntakeSummary, flag_crisis, normalise_email, normalise_phone, save_intake, summary_lines,
)
from bot.models import IntakeRecord, OutboxMessage

GIVEN_AT = dt.datetime(2026, 11, 3, 21, 15, tzinfo=dt.timezone(dt.timedelta(hours=2)))
RECOMMENDATIONS = [
    {"id": 1, "slug": "a", "name": "Evening Light", "score": 5.5, "reasons": ["meets Tuesdays 7pm"]},
    {"id": 2, "slug": "b", "name": "Open Door", "score": 4.0, "reasons": ["online"]},
]


def _summary(**changes) -> IntakeSummary:
    base = IntakeSummary(
        sender_id="sender-1", channel="rest", concerns=("bereavement",),
        preferences={"format": "online", "day": ["weekend"], "time_of_day": "evening"},
        consent=consent_record(True, GIVEN_AT), contact_email="Sam@Example.COM",
        contact_phone="07700 900123", contact_method="email",
        recommendations=RECOMMENDATIONS, crisis=False,
    )
    return dataclasses.replace(base, **changes)


def _records(database):
    with database.sessions() as session:
        return session.scalars(sa.select(IntakeRecord).order_by(IntakeRecord.id)).all()


def _outbox(database):
    with database.sessions() as session:
        return session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)).all()


# --- consent ---------------------------------------------------------------------

@pytest.mark.parametrize("consent", [
    None,
    consent_record(False, GIVEN_AT),
    {"given": "true", "at": GIVEN_AT.isoformat(), "version": CONSENT_VERSION},
    {"given": 1, "at": GIVEN_AT.isoformat(), "version": CONSENT_VERSION},
    {"given": True, "at": "yesterday", "version": CONSENT_VERSION},
    {"given": True, "version": CONSENT_VERSION},
    "yes",
])
def test_nothing_is_stored_without_clear_consent(database, consent):
    assert save_intake(database.sessions, _summary(consent=consent, crisis=True)) is None
    assert _records(database) == []
    assert _outbox(database) == []


def test_consent_stores_the_record_and_tells_staff_once(database):
    record_id = save_intake(database.sessions, _summary())
    [record] = _records(database)
    assert record.id == record_id
    assert record.sender_id == "sender-1" and record.channel == "rest"
    assert record.concerns == ["bereavement"]
    assert record.preferences == {"format": "online", "day": ["weekend"], "time_of_day": "evening"}
    assert record.consent_given_at == dt.datetime(2026, 11, 3, 19, 15)  # naive UTC
    assert record.consent_version == CONSENT_VERSION
    assert (record.contact_email, record.contact_phone, record.contact_method) == (
        "Sam@example.com", "+447700900123", "email")
    assert record.recommendations == RECOMMENDATIONS
    assert record.crisis_flag is False and record.review_status == "new"
    [message] = _outbox(database)
    assert (message.kind, message.sender_id, message.intake_id, message.urgent) == (
        "new_intake", "sender-1", record_id, False)
    assert message.emailed_at is None and message.read_at is None


def test_a_later_save_updates_the_open_record_without_a_second_message(database):
    first = save_intake(database.sessions, _summary())
    second = save_intake(database.sessions, _summary(
        concerns=("bereavement", "anxiety"), preferences={"format": "in_person"}, contact_method="phone"))
    assert first == second
    [record] = _records(database)
    assert record.concerns == ["bereavement", "anxiety"]
    assert record.preferences == {"format": "in_person"}
    assert record.contact_method == "phone"
    assert len(_outbox(database)) == 1


def test_a_closed_record_is_not_reopened(database):
    first = save_intake(database.sessions, _summary())
    with database.sessions() as session, session.begin():
        session.get(IntakeRecord, first).review_status = "closed"
    second = save_intake(database.sessions, _summary())
    assert second != first
    assert [r.review_status for r in _records(database)] == ["closed", "new"]
    assert [m.intake_id for m in _outbox(database)] == [first, second]


def test_records_of_other_senders_are_left_alone(database):
    mine = save_intake(database.sessions, _summary())
    theirs = save_intake(database.sessions, _summary(sender_id="sender-2"))
    assert mine != theirs
    assert len(_outbox(database)) == 2


def test_a_crisis_intake_is_urgent(database):
    save_intake(database.sessions, _summary(crisis=True))
    assert _records(database)[0].crisis_flag is True
    assert _outbox(database)[0].urgent is True


def test_only_known_preferences_and_valid_contact_details_are_kept(database):
    save_intake(database.sessions, _summary(
        preferences={"format": "online", "favourite_colour": "blue", "leader": None},
        contact_email="not an email", contact_phone="12", contact_method="carrier pigeon"))
    [record] = _records(database)
    assert record.preferences == {"format": "online"}
    assert (record.contact_email, record.contact_phone, record.contact_method) == (None, None, None)


def test_choosing_no_contact_keeps_no_contact_details(database):
    save_intake(database.sessions, _summary(contact_method="none"))
    [record] = _records(database)
    assert (record.contact_email, record.contact_phone, record.contact_method) == (None, None, "none")


def test_a_naive_or_z_consent_time_is_read_as_utc(database):
    save_intake(database.sessions, _summary(
        consent={"given": True, "at": "2026-11-03T19:15:00Z", "version": CONSENT_VERSION}))
    assert _records(database)[0].consent_given_at == dt.datetime(2026, 11, 3, 19, 15)


# --- crisis ----------------------------------------------------------------------

def test_a_crisis_without_consent_makes_a_minimal_record(database):
    record_id = flag_crisis(database.sessions, "sender-1", "socketio")
    [record] = _records(database)
    assert record.id == record_id
    assert (record.sender_id, record.channel, record.crisis_flag) == ("sender-1", "socketio", True)
    assert record.concerns == [] and record.preferences == {} and record.recommendations == []
    assert record.consent_given_at is None and record.consent_version is None
    assert (record.contact_email, record.contact_phone, record.contact_method) == (None, None, None)
    [message] = _outbox(database)
    assert (message.kind, message.sender_id, message.intake_id, message.urgent) == (
        "crisis", "sender-1", record_id, True)


def test_repeated_crisis_messages_alert_staff_once_until_read(database):
    first = flag_crisis(database.sessions, "sender-1", "rest")
    assert flag_crisis(database.sessions, "sender-1", "rest") == first
    assert len(_outbox(database)) == 1
    with database.sessions() as session, session.begin():
        session.scalars(sa.select(OutboxMessage)).one().read_at = dt.datetime(2026, 11, 3, 20, 0)
    assert flag_crisis(database.sessions, "sender-1", "rest") == first
    assert [m.kind for m in _outbox(database)] == ["crisis", "crisis"]
    assert len(_records(database)) == 1


def test_a_crisis_flags_the_existing_intake(database):
    record_id = save_intake(database.sessions, _summary())
    assert flag_crisis(database.sessions, "sender-1", "rest") == record_id
    [record] = _records(database)
    assert record.crisis_flag is True and record.concerns == ["bereavement"]
    assert [(m.kind, m.urgent) for m in _outbox(database)] == [("new_intake", False), ("crisis", True)]


def test_consent_after_a_crisis_completes_the_same_record(database):
    record_id = flag_crisis(database.sessions, "sender-1", "rest")
    assert save_intake(database.sessions, _summary()) == record_id
    assert save_intake(database.sessions, _summary()) == record_id
    [record] = _records(database)
    assert record.crisis_flag is True  # a later summary never clears the flag
    assert record.concerns == ["bereavement"] and record.consent_version == CONSENT_VERSION
    assert [(m.kind, m.urgent) for m in _outbox(database)] == [("crisis", True), ("new_intake", True)]


def test_declining_after_a_crisis_adds_nothing_to_the_minimal_record(database):
    flag_crisis(database.sessions, "sender-1", "rest")
    assert save_intake(database.sessions, _summary(consent=consent_record(False, GIVEN_AT))) is None
    [record] = _records(database)
    assert record.concerns == [] and record.contact_email is None and record.consent_given_at is None
    assert len(_outbox(database)) == 1


# --- validation ------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("  sam@example.com ", "sam@example.com"),
    ("Sam.Person+groups@Mail.Example.ORG", "Sam.Person+groups@mail.example.org"),
    ("o'neill@example.co.uk", "o'neill@example.co.uk"),
    ("sam@example", None),
    ("sam example.com", None),
    ("sam@@example.com", None),
    ("sam@exa mple.com", None),
    (".sam@example.com", None),
    ("sam..person@example.com", None),
    ("sam@-example.com", None),
    ("", None),
    (None, None),
    ("a" * 250 + "@example.com", None),
])
def test_normalise_email(text, expected):
    assert normalise_email(text) == expected


@pytest.mark.parametrize("text, region, expected", [
    ("07700 900123", "GB", "+447700900123"),
    ("+44 (0)7700 900123", "GB", "+447700900123"),
    ("020 7946 0018", "GB", "+442079460018"),
    ("+1 555 010 0123", "GB", "+15550100123"),
    ("(555) 010-0123", "US", "+15550100123"),
    ("12", "GB", None),
    ("not a number", "GB", None),
    ("", "GB", None),
    (None, "GB", None),
    ("0" * 60, "GB", None),
])
def test_normalise_phone(text, region, expected):
    assert normalise_phone(text, region) == expected


# --- what the person is told -----------------------------------------------------

def test_summary_lines_use_plain_words():
    summary = _summary(
        concerns=("bereavement", "chronic_illness"),
        preferences={
            "format": "in_person", "location": "Leeds", "day": ["weekend", "tuesday"],
            "time_of_day": "evening", "leader": "peer", "language": "es",
            "accessibility": ["wheelchair", "hearing_loop"], "observe_first": True,
        },
        recommendations=RECOMMENDATIONS + [{"id": 3, "slug": "c", "name": "Quiet Harbour"}],
        contact_email="sam@example.com",
    )
    assert summary_lines(summary) == [
        "You told me about: bereavement, living with a chronic illness",
        "Preferences: in person, near Leeds, weekends, Tuesdays, evenings, peer-led, in Spanish, "
        "step-free access, a hearing loop, listening only at first",
        "Groups suggested: Evening Light, Open Door, Quiet Harbour",
        "Contact: by email at sam@example.com",
    ]


def test_summary_lines_skip_no_preference_values():
    summary = _summary(
        preferences={"format": "either", "location": "any", "day": ["any"], "time_of_day": "any",
                     "leader": "either", "language": "any", "accessibility": ["none"], "observe_first": False},
        recommendations=[], contact_method="phone", contact_phone="+447700900123",
    )
    assert summary_lines(summary) == ["You told me about: bereavement", "Contact: by phone at +447700900123"]


def test_summary_lines_example_from_the_brief():
    lines = summary_lines(_summary(contact_method="none"))
    assert lines == [
        "You told me about: bereavement",
        "Preferences: online, weekends, evenings",
        "Groups suggested: Evening Light, Open Door",
        "Contact: you'd rather not be contacted",
    ]


def test_an_empty_summary_has_no_lines():
    assert summary_lines(IntakeSummary(sender_id="s")) == []
