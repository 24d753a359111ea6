"""Hand-off, contact form, crisis and session-start actions against a real SQLite file."""
import datetime as dt

import pytest
import sqlalchemy as sa
from rasa_sdk.executor import CollectingDispatcher

from actions.contact_form import ValidateContactForm, contact_method_of
from actions.crisis import ActionCrisisSupport
from actions.handoff import ActionHandoffIntake
from actions.recommend import ActionRecommendGroups
from actions.session import ActionSessionStart
from bot.consent import consent_record
from bot.models import IntakeRecord, OutboxMessage
from tests.test_actions import slot_events, tracker

CONSENTED = {"consent": True, "consent_record": consent_record(True, dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.timezone.utc))}


@pytest.fixture
def db_env(monkeypatch, seeded_database):
    monkeypatch.setenv("INTAKE_DATABASE_URL", seeded_database.url)
    monkeypatch.delenv("INTAKE_SMTP_HOST", raising=False)
    return seeded_database


def records(database):
    with database.sessions() as session:
        return session.scalars(sa.select(IntakeRecord)).all()


async def shown_slots(slots):
    events = await ActionRecommendGroups().run(CollectingDispatcher(), tracker(slots), {})
    return {**slots, **slot_events(events)}


async def test_handoff_stores_the_record_with_consent_contact_and_recommendations(db_env):
    slots = await shown_slots({"concern": "bereavement", "format": "online", **CONSENTED,
                               "contact_method": "email", "contact_email": "sam@example.org"})
    dispatcher = CollectingDispatcher()
    await ActionHandoffIntake().run(dispatcher, tracker(slots), {})
    [record] = records(db_env)
    assert record.concerns == ["bereavement"] and record.preferences["format"] == "online"
    assert record.consent_version == CONSENTED["consent_record"]["version"]
    assert record.contact_email == "sam@example.org"
    assert [r["slug"] for r in record.recommendations] == slots["recommended_groups"]
    assert all(r["reasons"] for r in record.recommendations)
    text = " ".join(m.get("text") or "" for m in dispatcher.messages)
    assert "email you" in text and "two working days" in text
    with db_env.sessions() as session:
        assert session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 1


async def test_without_consent_nothing_is_stored_and_the_person_is_told(db_env):
    slots = await shown_slots({"concern": "gambling", "consent": False, "contact_email": "x@example.org"})
    dispatcher = CollectingDispatcher()
    await ActionHandoffIntake().run(dispatcher, tracker(slots), {})
    assert records(db_env) == []
    assert "don't have your OK" in dispatcher.messages[0]["text"]


async def test_a_forged_consent_slot_without_the_record_is_not_consent(db_env):
    slots = await shown_slots({"concern": "gambling", "consent": True})
    await ActionHandoffIntake().run(CollectingDispatcher(), tracker(slots), {})
    assert records(db_env) == []


async def test_contact_form_asks_nothing_without_consent():
    form = ValidateContactForm()
    slots = ["contact_method", "contact_email", "contact_phone"]
    assert await form.required_slots(slots, CollectingDispatcher(), tracker({"consent": False}), {}) == []
    by_phone = tracker({"consent": True, "contact_method": "phone"})
    assert await form.required_slots(slots, CollectingDispatcher(), by_phone, {}) == ["contact_method", "contact_phone"]


@pytest.mark.parametrize("text,method", [("email please", "email"), ("Phone", "phone"), ("text me", "phone"), ("pigeon", None)])
def test_contact_method_is_read_from_free_text(text, method):
    assert contact_method_of(text) == method


def test_bad_email_and_phone_are_asked_again():
    form, dispatcher = ValidateContactForm(), CollectingDispatcher()
    assert form.validate_contact_email("not an email", dispatcher, tracker(), {}) == {"contact_email": None}
    assert form.validate_contact_phone("12", dispatcher, tracker(), {}) == {"contact_phone": None}
    assert len(dispatcher.messages) == 2
    assert form.validate_contact_email(" Sam@Example.ORG ", dispatcher, tracker(), {})["contact_email"].endswith("@example.org")
    assert form.validate_contact_phone("07700 900123", dispatcher, tracker({"country": "GB"}), {}) == {"contact_phone": "+447700900123"}


async def test_crisis_support_sets_the_flag_and_alerts_staff_once(db_env):
    crisis = tracker(sender="in-crisis")
    events = await ActionCrisisSupport().run(CollectingDispatcher(), crisis, {})
    await ActionCrisisSupport().run(CollectingDispatcher(), crisis, {})
    assert slot_events(events) == {"crisis_flag": True}
    [record] = records(db_env)
    assert record.crisis_flag and record.sender_id == "in-crisis"
    with db_env.sessions() as session:
        alerts = session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "crisis")).all()
    assert len(alerts) == 1 and alerts[0].urgent


async def test_crisis_support_still_sets_the_flag_when_the_database_fails(monkeypatch):
    monkeypatch.setenv("INTAKE_DATABASE_URL", "sqlite:////nonexistent-dir/x/y.db")
    events = await ActionCrisisSupport().run(CollectingDispatcher(), tracker(), {})
    assert slot_events(events) == {"crisis_flag": True}


async def test_session_start_keeps_slots_and_reads_the_country():
    previous = tracker({"crisis_flag": True, "consent": True, "requested_slot": "day",
                        "session_started_metadata": {"locale": "en-AU"}})
    events = await ActionSessionStart().run(CollectingDispatcher(), previous, {})
    assert events[0]["event"] == "session_started" and events[-1]["name"] == "action_listen"
    slots = slot_events(events)
    assert slots["crisis_flag"] is True and slots["country"] == "AU"
    assert "requested_slot" not in slots


async def test_a_declined_consent_record_stores_nothing_and_promises_nothing(db_env):
    declined = {"consent": False, "consent_record": consent_record(False, dt.datetime(2026, 11, 26, tzinfo=dt.timezone.utc))}
    slots = await shown_slots({"concern": "trauma", **declined})
    dispatcher = CollectingDispatcher()
    await ActionHandoffIntake().run(dispatcher, tracker(slots), {})
    assert records(db_env) == []
    assert "don't have your OK" in dispatcher.messages[0]["text"]
    assert not any("pass on" in (m.get("text") or "") for m in dispatcher.messages)
