"""Picking a group: details, a calendar file, and a reminder where the channel can send one."""
import datetime as dt

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

import actions.choose_group as choose_group
from actions.choose_group import ActionAnswerReminderOffer, ActionChooseGroup, ActionRemindNextMeeting
from actions.handoff import ActionHandoffIntake
from tests.test_actions import slot_events
from tests.test_actions_handoff import CONSENTED, records, shown_slots

NOW = dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def db_env(monkeypatch, seeded_database):
    monkeypatch.setenv("INTAKE_DATABASE_URL", seeded_database.url)
    monkeypatch.delenv("INTAKE_SMTP_HOST", raising=False)
    monkeypatch.setattr(choose_group, "_now", lambda: NOW)
    return seeded_database


def said(text, intent, slots, channel="rest", choice=None):
    entities = [{"entity": "group_choice", "value": choice}] if choice else []
    latest = {"intent": {"name": intent}, "entities": entities, "text": text}
    return Tracker.from_dict({
        "sender_id": "s1", "slots": slots, "latest_message": latest, "active_loop": {},
        "events": [{"event": "user", "text": text, "parse_data": latest, "input_channel": channel}],
        "latest_action_name": "action_listen",
    })


async def run(action, tracker):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, {})
    return dispatcher.messages, events


async def test_picking_by_number_confirms_that_group_with_a_calendar_file(db_env):
    slots = await shown_slots({"concern": "bereavement"})
    second = slots["shown_groups"][1]
    messages, events = await run(ActionChooseGroup(), said("number 2 please", "choose_group", slots, choice="2"))
    assert second["name"] in messages[0]["text"] and "next meets on" in messages[0]["text"]
    calendar = messages[1]["custom"]["calendar"]
    assert calendar["filename"] == f"{second['slug']}.ics" and "BEGIN:VEVENT" in calendar["content"]
    assert f"SUMMARY:{second['name']}" in calendar["content"]
    # The REST channel cannot push a reminder later, so none is offered.
    assert "get in touch" in messages[2]["text"]
    assert slot_events(events) == {"chosen_group": second["slug"], "reminder_offered": False}


async def test_a_group_can_be_picked_by_its_name(db_env):
    slots = await shown_slots({"concern": "gambling"})
    third = slots["shown_groups"][2]
    _, events = await run(ActionChooseGroup(), said(f"I like {third['name'].lower()}", "choose_group", slots))
    assert slot_events(events)["chosen_group"] == third["slug"]


async def test_the_last_one_is_the_last_group_shown(db_env):
    slots = await shown_slots({"concern": "gambling"})
    last = slots["shown_groups"][-1]
    _, events = await run(ActionChooseGroup(), said("the last one", "choose_group", slots, choice="last"))
    assert slot_events(events)["chosen_group"] == last["slug"]


async def test_a_number_that_was_not_shown_gets_a_clear_question_and_changes_nothing(db_env):
    slots = await shown_slots({"concern": "gambling"})
    messages, events = await run(ActionChooseGroup(), said("number 9", "choose_group", slots, choice="9"))
    assert slot_events(events) == {"reminder_offered": None} and "which group you mean" in messages[0]["text"]


async def test_on_a_channel_that_can_push_a_reminder_is_offered_and_scheduled_the_day_before(db_env):
    slots = await shown_slots({"concern": "bereavement"})
    messages, events = await run(ActionChooseGroup(), said("the first one", "choose_group", slots, "socketio", "1"))
    assert "reminder" in messages[2]["text"] and slot_events(events)["reminder_offered"] is True
    slots = {**slots, **slot_events(events)}
    messages, events = await run(ActionAnswerReminderOffer(), said("yes", "affirm", slots, "socketio"))
    [reminder] = [e for e in events if e["event"] == "reminder"]
    group = db_env.catalog().group(slots["chosen_group"])
    meeting = choose_group.next_meeting_start(group, NOW)
    assert reminder["intent"] == "ask_next_meeting"
    assert dt.datetime.fromisoformat(reminder["date_time"]) == meeting - dt.timedelta(days=1)
    assert "remind you" in messages[0]["text"] and slot_events(events)["reminder_offered"] is False


async def test_saying_no_to_the_reminder_schedules_nothing(db_env):
    slots = {**await shown_slots({"concern": "bereavement"}), "reminder_offered": True}
    slots["chosen_group"] = slots["shown_groups"][0]["slug"]
    messages, events = await run(ActionAnswerReminderOffer(), said("no thanks", "deny", slots, "socketio"))
    assert [e for e in events if e["event"] == "reminder"] == []
    assert "get in touch" in messages[-1]["text"]


async def test_the_reminder_says_when_and_where_the_group_meets(db_env):
    slots = await shown_slots({"concern": "bereavement"})
    slots["chosen_group"] = slots["shown_groups"][0]["slug"]
    messages, _ = await run(ActionRemindNextMeeting(), said("when is my group", "ask_next_meeting", slots))
    assert slots["shown_groups"][0]["name"] in messages[0]["text"]
    messages, _ = await run(ActionRemindNextMeeting(), said("when is my group", "ask_next_meeting", {}))
    assert "haven't picked a group" in messages[0]["text"]


async def test_the_intake_record_keeps_every_group_shown_and_marks_the_one_picked(db_env):
    slots = await shown_slots({"concern": "bereavement", **CONSENTED})
    _, events = await run(ActionChooseGroup(), said("number 3", "choose_group", slots, choice="3"))
    slots = {**slots, **slot_events(events)}
    await run(ActionHandoffIntake(), said("bye", "deny", slots))
    [record] = records(db_env)
    assert [r["slug"] for r in record.recommendations] == [g["slug"] for g in slots["shown_groups"]]
    assert [r["chosen"] for r in record.recommendations] == [False, False, True]
    assert all(r["reasons"] and r["score"] for r in record.recommendations)
