"""action_live_handoff: pauses for staff during opening hours, says when otherwise."""
import datetime as dt

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.live_handoff import ActionLiveHandoff
from tests.test_actions import tracker

UTC = dt.timezone.utc
MONDAY_NOON = dt.datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
FRIDAY_EVENING = dt.datetime(2026, 11, 27, 19, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def office_hours(monkeypatch):
    monkeypatch.setenv("INTAKE_OPENING_HOURS", "mon-fri 09:00-17:00 Europe/London")


async def run_at(moment):
    dispatcher = CollectingDispatcher()
    events = await ActionLiveHandoff(clock=lambda: moment).run(dispatcher, tracker(intent="request_human"), {})
    return events, [m["text"] for m in dispatcher.messages]


async def test_during_opening_hours_staff_are_called_and_the_bot_pauses():
    events, texts = await run_at(MONDAY_NOON)
    assert [event["event"] for event in events] == ["pause", "action"]
    assert events[1]["name"] == "action_listen"  # the turn ends as usual, so rules match after the resume
    assert texts == [
        "I've asked a member of our team to join this chat. They'll reply here, usually within a few minutes. "
        "If you're in danger right now, please call your local emergency number."
    ]


async def test_outside_opening_hours_the_person_hears_when_and_the_conversation_continues():
    events, [text] = await run_at(FRIDAY_EVENING)
    assert events == []
    assert "Someone can chat with you here on Monday at 09:00 (Europe/London time)." in text


async def test_with_live_chat_closed_the_person_gets_other_ways_to_reach_the_team(monkeypatch):
    monkeypatch.setenv("INTAKE_OPENING_HOURS", "closed")
    events, [text] = await run_at(MONDAY_NOON)
    assert events == []
    assert "doesn't chat live here" in text and "0800 000 0000" in text
