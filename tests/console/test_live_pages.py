"""Live hand-off pages of a real console on loopback, talking to FakeRasa over HTTP."""
from __future__ import annotations

import itertools
import time

import pytest
import sqlalchemy as sa

from bot.console.live import SYSTEM_ACTOR
from bot.database import Database
from bot.live_handoff import MAX_REPLY_CHARS, conversation_ref, load_safety_net
from bot.models import AuditEntry
from bot.settings import Settings
from tests.console.conftest import ADMIN, REVIEWER
from tests.console.harness import save_conversation, start_console
from tests.console.test_live import TOKEN, FakeRasa, asked_for_a_person, bot, said


@pytest.fixture(scope="module")
def rasa(tmp_path_factory):
    database = Database(f"sqlite:///{tmp_path_factory.mktemp('live') / 'intake.db'}")
    running = FakeRasa(database.url)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def console(rasa):
    """The console, configured to reach FakeRasa with the token (overrides conftest's console)."""
    load_safety_net()  # seconds of spaCy loading, shared with the console in this process
    database = Database(rasa.database_url)
    settings = Settings.from_env({
        "INTAKE_DATABASE_URL": database.url, "RASA_PORT": str(rasa.port), "RASA_AUTH_TOKEN": TOKEN,
    })
    running = start_console(database, settings=settings)
    running.add_staff(ADMIN, "admin")
    running.add_staff(REVIEWER, "reviewer")
    yield running
    running.stop()


SENDERS = itertools.count(900100)


@pytest.fixture
def waiting(console):
    """A new waiting conversation (its sender a phone number, as on SMS), and its reference."""
    sender = f"+447700{next(SENDERS)}"
    save_conversation(console.database, sender, asked_for_a_person() + [
        said("my email is sam.jones@example.org, I'll wait"),
    ])
    return sender, conversation_ref(sender)


def audit_entries(console, ref: str):
    with console.database.sessions() as session:
        rows = session.execute(sa.select(AuditEntry.actor, AuditEntry.action, AuditEntry.target)
                               .where(AuditEntry.target.startswith(f"conversation:{ref}")).order_by(AuditEntry.id))
        return [tuple(row) for row in rows]


def eventually(condition, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_waiting_conversations_are_listed_by_reference_without_message_text(reviewer, waiting):
    sender, ref = waiting
    page = reviewer.get("/live")
    assert page.status_code == 200
    assert f'href="/live/{ref}"' in page.text and "socketio" in page.text
    assert "sam.jones" not in page.text and sender not in page.text


def test_the_conversation_page_masks_personal_data_and_the_view_is_audited(reviewer, console, waiting):
    sender, ref = waiting
    page = reviewer.get(f"/live/{ref}")
    assert page.status_code == 200
    assert "my email is [email], I&#39;ll wait" in page.text and "sam.jones" not in page.text
    assert "can I talk to a real person" in page.text  # the turns before the pause
    assert audit_entries(console, ref) == [(REVIEWER, "view", f"conversation:{ref}")]


def test_only_admins_can_reveal_and_the_reveal_is_audited(admin, reviewer, console, waiting):
    _, ref = waiting
    assert reviewer.get(f"/live/{ref}/reveal").status_code == 403
    page = admin.get(f"/live/{ref}/reveal")
    assert page.status_code == 200 and "sam.jones@example.org" in page.text
    assert audit_entries(console, ref) == [(ADMIN, "reveal", f"conversation:{ref}")]


def test_a_reply_reaches_rasa_as_a_staff_message_and_is_audited(reviewer, console, rasa, waiting):
    sender, ref = waiting
    reviewer.get(f"/live/{ref}")
    response = reviewer.submit(f"/live/{ref}/reply", {"text": "Hi, I'm Sam from the team. How can I help?"})
    assert response.status_code == 303 and response.headers["Location"] == f"/live/{ref}?done=reply"
    assert rasa.paths(sender) == ["events:bot"]
    page = reviewer.get(response.headers["Location"])
    assert "Your reply was sent." in page.text
    assert "<strong>Staff</strong>" in page.text and "How can I help?" in page.text
    assert (REVIEWER, "live_reply", f"conversation:{ref}") in audit_entries(console, ref)


def test_a_refused_reply_is_shown_again_with_the_reason(reviewer, rasa, waiting):
    sender, ref = waiting
    reviewer.get(f"/live/{ref}")
    draft = "<b>" + "x" * MAX_REPLY_CHARS
    response = reviewer.submit(f"/live/{ref}/reply", {"text": draft})
    assert response.status_code == 400
    assert f"at most {MAX_REPLY_CHARS} characters" in response.text
    assert "&lt;b&gt;" + "x" * MAX_REPLY_CHARS + "</textarea>" in response.text
    assert rasa.paths(sender) == []


def test_when_rasa_refuses_the_reply_is_kept_and_the_reason_shown(reviewer, rasa, waiting):
    _, ref = waiting
    reviewer.get(f"/live/{ref}")
    rasa.fail_everything = True
    try:
        response = reviewer.submit(f"/live/{ref}/reply", {"text": "Are you still there?"})
    finally:
        rasa.fail_everything = False
    assert response.status_code == 502
    assert "The reply was not sent: Rasa answered HTTP 503." in response.text
    assert "Are you still there?</textarea>" in response.text


def test_without_the_csrf_token_nothing_is_sent(reviewer, rasa, waiting):
    sender, ref = waiting
    for path in (f"/live/{ref}/reply", f"/live/{ref}/hand-back"):
        assert reviewer.post(path, data={"text": "hello"}).status_code == 403
    assert rasa.paths(sender) == []


def test_handing_back_resumes_the_bot_and_the_conversation_leaves_the_list(reviewer, console, rasa, waiting):
    sender, ref = waiting
    reviewer.get(f"/live/{ref}")
    response = reviewer.submit(f"/live/{ref}/hand-back")
    assert response.status_code == 303 and response.headers["Location"] == "/live?done=hand_back"
    assert rasa.paths(sender) == ["events:bot,resume"]
    listing = reviewer.get("/live?done=hand_back")
    assert "The conversation is back with the assistant." in listing.text
    assert f'href="/live/{ref}"' not in listing.text and "handed back by staff" in listing.text
    gone = reviewer.get(f"/live/{ref}")
    assert gone.status_code == 404 and "is not waiting for staff" in gone.text
    late = reviewer.submit(f"/live/{ref}/reply", {"text": "One more thing"})
    assert late.status_code == 409 and "Your reply was not sent" in late.text and "One more thing</textarea>" in late.text
    assert (REVIEWER, "live_hand_back", f"conversation:{ref}") in audit_entries(console, ref)


def test_message_text_is_escaped(reviewer, console):
    sender = "escape-test"
    save_conversation(console.database, sender, asked_for_a_person() + [
        said('<script>alert(1)</script> " onmouseover="alert(2)'), bot("<img src=x onerror=alert(3)>", sent_by="staff"),
    ])
    page = reviewer.get(f"/live/{conversation_ref(sender)}")
    assert "<script>alert(1)" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &#34; onmouseover=&#34;alert(2)" in page.text


def test_a_crisis_while_rasa_is_down_is_marked_and_handed_to_the_assistant_once_it_is_back(reviewer, console, rasa):
    sender = "crisis-test"
    ref = conversation_ref(sender)
    rasa.fail_everything = True
    try:
        save_conversation(console.database, sender, asked_for_a_person() + [said("I want to end my life tonight")])
        listing = reviewer.get("/live")
        assert "crisis-banner" in listing.text
        assert f'<span class="crisis-badge">Crisis</span> <a href="/live/{ref}">' in listing.text
        page = reviewer.get(f"/live/{ref}")
        assert "crisis-banner" in page.text and "Crisis: suicidal" in page.text
    finally:
        rasa.fail_everything = False
    eventually(lambda: "trigger:express_crisis" in rasa.paths(sender)[-1:])
    assert rasa.paths(sender)[-2:] == ["events:resume", "trigger:express_crisis"]
    eventually(lambda: (SYSTEM_ACTOR, "live_crisis_resume", f"conversation:{ref} suicidal") in audit_entries(console, ref))
    gone = reviewer.get(f"/live/{ref}")
    assert gone.status_code == 404 and "A crisis message arrived" in gone.text
