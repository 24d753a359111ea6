"""Live hand-off end to end: the real Rasa and action servers, the console on loopback."""
from __future__ import annotations

import json
import time
import urllib.parse
import urllib.request
import uuid

import pytest
import sqlalchemy as sa

from bot.catalog.seed import seed_if_empty
from bot.console.live import SYSTEM_ACTOR
from bot.database import Database
from bot.input_guard import NO_REPLY_NOTICE
from bot.live_handoff import BACK_TO_ASSISTANT, conversation_ref, load_safety_net
from bot.models import AuditEntry, IntakeRecord
from tests.console.conftest import REVIEWER
from tests.console.harness import signed_in, start_console
from tests.integration.servers import start_servers

pytestmark = pytest.mark.integration

ALWAYS_OPEN = "mon-sun 00:00-24:00 UTC"


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    """Rasa (API on behind a token) and the action server, with live chat open around the clock."""
    workdir = tmp_path_factory.mktemp("live-servers")
    database_url = f"sqlite:///{workdir / 'intake.db'}"
    seed_if_empty(Database(database_url).sessions)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("INTAKE_OPENING_HOURS", ALWAYS_OPEN)
        running = start_servers(workdir, database_url)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def console(servers):
    load_safety_net()
    running = start_console(Database(servers.settings.database_url), settings=servers.settings)
    running.add_staff(REVIEWER, "reviewer")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def staff(console):
    return signed_in(console, REVIEWER)


def tracker_events(servers, sender: str) -> list:
    """The conversation's events, read through Rasa's HTTP API with the token."""
    query = urllib.parse.urlencode({"token": servers.settings.rasa_auth_token})
    url = f"http://127.0.0.1:{servers.settings.rasa_port}/conversations/{sender}/tracker?{query}"
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())["events"]


def bot_texts(events: list) -> list:
    return [event.get("text") for event in events if event["event"] == "bot"]


def eventually(condition, timeout: float = 120.0):
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.5)
    return result


def texts(replies: list) -> list:
    return [reply.get("text", "") for reply in replies]


def ask_for_a_person(servers, sender: str) -> None:
    servers.say(sender, "hello")
    joining = texts(servers.say(sender, "can I talk to a real person please"))
    assert any("asked a member of our team to join" in text for text in joining), joining
    assert [event["event"] for event in tracker_events(servers, sender)[-2:]] == ["pause", "action"]


def test_staff_reply_into_a_paused_conversation_then_hand_back_to_the_bot(servers, staff):
    sender = uuid.uuid4().hex
    ask_for_a_person(servers, sender)
    ref = conversation_ref(sender)
    assert f'href="/live/{ref}"' in staff.get("/live").text

    servers.say(sender, "is anyone there?")  # the paused bot predicts nothing
    page = staff.get(f"/live/{ref}")
    assert "is anyone there?" in page.text

    assert staff.submit(f"/live/{ref}/reply", {"text": "Hi, I'm Sam from the team."}).status_code == 303
    reply = tracker_events(servers, sender)[-1]
    assert (reply["event"], reply["text"], reply["metadata"]["sent_by"]) == ("bot", "Hi, I'm Sam from the team.", "staff")

    assert staff.submit(f"/live/{ref}/hand-back").status_code == 303
    events = tracker_events(servers, sender)
    assert [e["event"] for e in events[-2:]] == ["bot", "resume"] and events[-2]["text"] == BACK_TO_ASSISTANT

    answer = texts(servers.say(sender, "what happens at a first session?"))
    assert answer and NO_REPLY_NOTICE not in answer
    resumed = tracker_events(servers, sender)
    after = resumed[max(i for i, e in enumerate(resumed) if e["event"] == "resume"):]
    assert any(e["event"] == "action" and e["name"] == "utter_answer_session_format" for e in after)
    assert f'href="/live/{ref}"' not in staff.get("/live").text


def test_a_crisis_message_while_paused_gets_the_crisis_response_and_is_flagged(servers, console):
    sender = uuid.uuid4().hex
    ask_for_a_person(servers, sender)
    servers.say(sender, "I want to kill myself")

    def crisis_answered():
        events = tracker_events(servers, sender)
        return events if any("reach a person now" in (text or "") for text in bot_texts(events)) else None

    events = eventually(crisis_answered)
    assert "resume" in [e["event"] for e in events]
    assert any(e["event"] == "action" and e["name"] == "action_crisis_support" for e in events)
    with console.database.sessions() as session:
        assert session.scalar(sa.select(IntakeRecord.crisis_flag).where(IntakeRecord.sender_id == sender)) is True
        actors = session.execute(sa.select(AuditEntry.actor, AuditEntry.action).where(
            AuditEntry.target.startswith(f"conversation:{conversation_ref(sender)}"))).all()
    assert (SYSTEM_ACTOR, "live_crisis_resume") in actors
