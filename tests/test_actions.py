"""Custom actions against a real SQLite database, asserting events and messages."""
import pytest
import sqlalchemy as sa
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.consent import ActionDeclineConsent, ActionRecordConsent
from actions.erasure import ActionDeleteData
from actions.fallback import ActionFallback
from actions.preferences_form import ValidatePreferencesForm
from actions.recommend import ActionRecommendGroups
from bot.models import IntakeRecord


def user(intent, text="...", entities=()):
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}, "entities": list(entities)}}


def bot_action(name):
    return {"event": "action", "name": name}


def tracker(slots=None, events=(), intent="request_groups", sender="s1"):
    return Tracker.from_dict({
        "sender_id": sender,
        "slots": slots or {},
        "latest_message": {"intent": {"name": intent}, "entities": [], "text": "..."},
        "events": list(events),
        "active_loop": {},
        "latest_action_name": "action_listen",
    })


@pytest.fixture
def db_env(monkeypatch, seeded_database):
    monkeypatch.setenv("INTAKE_DATABASE_URL", seeded_database.url)
    return seeded_database


def slot_events(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


async def test_recommend_shows_three_matching_groups_with_reasons(db_env):
    dispatcher = CollectingDispatcher()
    events = await ActionRecommendGroups().run(dispatcher, tracker({"concern": "alcohol"}), {})
    shown = slot_events(events)["recommended_groups"]
    assert len(shown) == 3
    catalog = db_env.catalog()
    for slug in shown:
        assert any(g.slug == slug for g in catalog.for_concern("alcohol"))
    texts = [m["text"] for m in dispatcher.messages if m.get("text")]
    assert sum(t[:2] in ("1.", "2.", "3.") for t in texts) == 3
    assert all(":" in t for t in texts if t[:2] in ("1.", "2.", "3."))


async def test_show_me_more_pages_on(db_env):
    first = slot_events(await ActionRecommendGroups().run(CollectingDispatcher(), tracker({"concern": "alcohol"}), {}))
    more = tracker({"concern": "alcohol", "results_offset": 0}, intent="request_more")
    second = slot_events(await ActionRecommendGroups().run(CollectingDispatcher(), more, {}))
    assert second["results_offset"] == 3
    assert not set(first["recommended_groups"]) & set(second["recommended_groups"])


async def test_observers_only_see_groups_that_welcome_them(db_env):
    events = await ActionRecommendGroups().run(
        CollectingDispatcher(), tracker({"concern": "alcohol", "observe_first": True}), {})
    views = {g.slug: g for g in db_env.catalog().for_concern("alcohol")}
    assert all(views[slug].observers_welcome for slug in slot_events(events)["recommended_groups"])


async def test_injected_slot_values_are_ignored_not_trusted(db_env):
    dispatcher = CollectingDispatcher()
    events = await ActionRecommendGroups().run(
        dispatcher, tracker({"concern": "alcohol", "format": "<script>", "day": ["'; drop table groups"]}), {})
    assert len(slot_events(events)["recommended_groups"]) == 3


async def test_without_a_concern_it_asks_for_one(db_env):
    dispatcher = CollectingDispatcher()
    assert await ActionRecommendGroups().run(dispatcher, tracker({"concern": "cats"}), {}) == []
    assert dispatcher.messages[0]["response"] == "utter_ask_concern"


async def test_consent_counts_only_right_after_the_question():
    asked = [bot_action("utter_ask_consent"), bot_action("action_listen"), user("affirm")]
    events = await ActionRecordConsent().run(CollectingDispatcher(), tracker(events=asked), {})
    record = slot_events(events)
    assert record["consent"] is True
    assert record["consent_record"]["version"] and record["consent_record"]["given"] is True

    not_asked = [bot_action("utter_after_groups"), bot_action("action_listen"), user("affirm")]
    assert await ActionRecordConsent().run(CollectingDispatcher(), tracker(events=not_asked), {}) == []


async def test_declined_consent_is_recorded_as_declined():
    asked = [bot_action("utter_ask_consent"), bot_action("action_listen"), user("deny")]
    events = await ActionDeclineConsent().run(CollectingDispatcher(), tracker(events=asked), {})
    assert slot_events(events)["consent"] is False


async def test_fallback_asks_to_rephrase_then_offers_buttons():
    once = [user("greet"), bot_action("utter_welcome"), user("nlu_fallback")]
    dispatcher = CollectingDispatcher()
    await ActionFallback().run(dispatcher, tracker(events=once), {})
    assert dispatcher.messages[0]["text"].startswith("Sorry, I didn't quite understand")
    twice = once + [bot_action("action_fallback"), user("nlu_fallback")]
    dispatcher = CollectingDispatcher()
    await ActionFallback().run(dispatcher, tracker(events=twice), {})
    assert len(dispatcher.messages[0]["buttons"]) == 4


async def test_delete_data_erases_the_intake_records_of_that_sender_only(db_env):
    with db_env.sessions() as session, session.begin():
        session.add_all([IntakeRecord(sender_id="s1"), IntakeRecord(sender_id="other")])
    dispatcher = CollectingDispatcher()
    events = await ActionDeleteData().run(dispatcher, tracker(sender="s1"), {})
    assert events == [{"event": "reset_slots", "timestamp": None}]
    assert "erased" in dispatcher.messages[0]["text"]
    with db_env.sessions() as session:
        assert session.scalars(sa.select(IntakeRecord.sender_id)).all() == ["other"]


@pytest.mark.parametrize(
    "slot,value,expected",
    [
        ("format", "online", "online"), ("format", "fax", None),
        ("day", ["monday", "nonsense"], ["monday"]), ("day", ["any"], ["any"]), ("day", ["nonsense"], None),
        ("accessibility", ["captions"], ["captions"]), ("accessibility", ["none"], ["none"]),
        ("language", "ES", "es"), ("language", "spanish", None),
        ("observe_first", True, True), ("observe_first", "yes", None),
    ],
)
def test_the_form_keeps_only_canonical_answers(slot, value, expected):
    validate = getattr(ValidatePreferencesForm(), f"validate_{slot}")
    assert validate(value, CollectingDispatcher(), tracker(), {}) == {slot: expected}


async def test_location_is_not_asked_for_online_only():
    form = ValidatePreferencesForm()
    slots = ["format", "location", "day"]
    assert await form.required_slots(slots, CollectingDispatcher(), tracker({"format": "online"}), {}) == ["format", "day"]
    assert await form.required_slots(slots, CollectingDispatcher(), tracker({"format": "in_person"}), {}) == slots


def test_an_unknown_location_is_kept_but_explained():
    dispatcher = CollectingDispatcher()
    result = ValidatePreferencesForm().validate_location("Xqzzyville", dispatcher, tracker(), {})
    assert result == {"location": "Xqzzyville"}
    assert "Xqzzyville" in dispatcher.messages[0]["text"]


async def test_every_form_question_has_an_action_and_a_message():
    import yaml

    from actions.form_questions import ASK_ACTIONS, FORM_SLOTS
    from actions.messages import messages

    domain = yaml.safe_load(open("domain.yml"))
    assert list(FORM_SLOTS) == domain["forms"]["preferences_form"]["required_slots"]
    for action_class in ASK_ACTIONS:
        action = action_class()
        assert action.name() in domain["actions"]
        dispatcher = CollectingDispatcher()
        await action.run(dispatcher, tracker(), {})
        sent = dispatcher.messages[0]
        assert sent["text"] == messages()[f"ask_{action_class.slot}"]["text"]
        # Every question but the free-text ones offers buttons for the common answers.
        free_text = action_class.slot in ("location", "contact_email", "contact_phone")
        assert bool(sent["buttons"]) == (not free_text)


def test_the_action_server_registers_exactly_the_domains_custom_actions():
    import yaml
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    domain = yaml.safe_load(open("domain.yml"))
    assert set(executor.actions) == set(domain["actions"])


async def test_restart_says_so_and_restarts():
    from actions.restart import ActionRestart

    dispatcher = CollectingDispatcher()
    events = await ActionRestart().run(dispatcher, tracker(), {})
    assert events == [{"event": "restart", "timestamp": None}]
    assert "start again" in dispatcher.messages[0]["text"]


async def test_a_message_not_understood_is_the_answer_when_the_form_asks_for_a_place():
    events = [user("inform"), bot_action("preferences_form"), user("nlu_fallback", "Quarzville")]
    asked_for_a_place = Tracker.from_dict({
        "sender_id": "s1", "slots": {"requested_slot": "location"}, "events": events,
        "latest_message": {"intent": {"name": "nlu_fallback"}, "entities": [], "text": "Quarzville"},
        "active_loop": {"name": "preferences_form"}, "latest_action_name": "action_listen",
    })
    dispatcher = CollectingDispatcher()
    assert await ActionFallback().run(dispatcher, asked_for_a_place, {}) == []
    assert dispatcher.messages == []  # the form that runs next takes the text as the place
