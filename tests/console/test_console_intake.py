"""The intake page: summary, escaped and redacted transcript, reveal, workflow, assignee and notes."""
from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa
from rasa.shared.core.events import BotUttered, UserUttered

from bot.erasure import erase_sender
from bot.intake import IntakeSummary, flag_crisis, save_intake
from bot.models import AuditEntry, IntakeNote, IntakeRecord
from tests.console.conftest import ADMIN, REVIEWER
from tests.console.harness import save_conversation

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '" onmouseover=alert(1) x="'
CONSENT = {"given": True, "at": "2024-03-01T10:00:00Z", "version": "v2"}
BUTTONS = [{"title": f"Online {ATTRIBUTE}", "payload": '/inform{"format": "online"}'},
           {"title": "In person", "payload": '/inform{"format": "in_person"}'}]


@pytest.fixture(scope="module")
def person(console):
    """A consented intake whose transcript carries personal data and injection attempts."""
    save_conversation(console.database, "sender-sam", [
        UserUttered(f"Hi, my name is Sam Jones, sam.jones@example.com or 07700 900123 {SCRIPT}",
                    intent={"name": "greet", "confidence": 1.0}),
        BotUttered(f"Hello! How would you like to meet? {ATTRIBUTE}", data={"buttons": BUTTONS}),
        UserUttered('/inform{"format": "online"}', intent={"name": "inform", "confidence": 1.0}),
        BotUttered("Thanks, noted."),
    ])
    return save_intake(console.database.sessions, IntakeSummary(
        sender_id="sender-sam", channel="rest", concerns=("alcohol", "anxiety"), consent=CONSENT,
        preferences={"format": "online", "location": f"12 Oak Street {SCRIPT}", "day": ["monday", "weekend"],
                     "observe_first": True},
        contact_email="sam.jones@example.com", contact_method="email",
        recommendations=[{"name": f"Tuesday Circle {SCRIPT}", "reasons": ["meets online", f"newcomers {ATTRIBUTE}"]}],
    ))


@pytest.fixture(scope="module")
def crisis(console):
    """The minimal record a crisis leaves without consent: no summary, no contact details."""
    return flag_crisis(console.database.sessions, "sender-in-crisis", "rest")


def status_of(console, intake_id):
    with console.database.sessions() as session:
        return session.get(IntakeRecord, intake_id).review_status


def audit_targets(console, action):
    with console.database.sessions() as session:
        return list(session.scalars(sa.select(AuditEntry.target).where(AuditEntry.action == action)))


def assert_no_markup_injected(page: str):
    assert SCRIPT not in page and "onmouseover=alert(1) x=\"" not in page
    assert html.escape(SCRIPT) in page or "&lt;script&gt;" in page


def test_the_summary_shows_concerns_preferences_groups_reasons_and_consented_contact(admin, person):
    page = admin.get(f"/intakes/{person}").text
    assert "alcohol, anxiety" in page
    assert "<dt>Days</dt><dd>monday, weekend</dd>" in page and "<dt>Wants to listen first</dt><dd>yes</dd>" in page
    assert "Tuesday Circle" in page and "<li>meets online</li>" in page
    assert "E-mail: sam.jones@example.com" in page
    assert "given 2024-03-01 10:00 UTC (wording v2)" in page


def test_a_record_without_consent_shows_no_contact_details(console, admin, crisis):
    with console.database.sessions() as session, session.begin():
        record = session.get(IntakeRecord, crisis)  # details on file, but never to be shown without consent
        record.contact_email, record.contact_method = "kept@example.com", "email"
    page = admin.get(f"/intakes/{crisis}").text
    assert "kept@example.com" not in page and "no contact details shared" in page
    assert "Crisis flagged" in page and "not given (minimal crisis record)" in page


def test_the_transcript_shows_both_sides_buttons_and_times(admin, person):
    page = admin.get(f"/intakes/{person}").text
    assert page.count('<li class="turn user">') == 2 and page.count('<li class="turn bot">') == 2
    assert "Pressed the button “Online" in page and "understood as <code>inform</code>" in page
    assert re.search(r"<time datetime=\"\d{4}-\d\d-\d\dT[\d:.]+Z\">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC</time>", page)
    assert "In person <code>/inform{&#34;format&#34;: &#34;in_person&#34;}</code>" in page


def test_the_transcript_is_redacted_by_default(admin, person):
    page = admin.get(f"/intakes/{person}").text
    transcript = page[page.index('id="transcript-heading"'):]
    assert "sam.jones@example.com" not in transcript and "07700 900123" not in transcript and "Sam Jones" not in transcript
    assert "[email]" in transcript and "[phone]" in transcript and "[name]" in transcript
    assert "Oak Street" not in page  # the free-text location too


@pytest.mark.parametrize("path", ["/intakes/{id}", "/intakes/{id}/reveal"])
def test_script_and_attribute_payloads_render_escaped(admin, person, path):
    page = admin.get(path.format(id=person)).text
    assert_no_markup_injected(page)
    assert "&#34; onmouseover=alert(1) x=&#34;" in page


def test_an_admin_can_reveal_and_it_is_audited(console, admin, person):
    before = audit_targets(console, "reveal").count(f"intake:{person}")
    page = admin.get(f"/intakes/{person}/reveal").text
    assert "sam.jones@example.com or 07700 900123" in page and "Sam Jones" in page and "12 Oak Street" in page
    assert "Personal data is shown" in page
    assert audit_targets(console, "reveal").count(f"intake:{person}") == before + 1


def test_a_reviewer_sees_no_reveal_link_and_cannot_reveal(reviewer, person):
    assert f"/intakes/{person}/reveal" not in reviewer.get(f"/intakes/{person}").text
    response = reviewer.get(f"/intakes/{person}/reveal")
    assert response.status_code == 403 and "sam.jones@example.com or" not in response.text


def test_each_view_is_audited(console, reviewer, person):
    before = len(audit_targets(console, "view"))
    reviewer.get(f"/intakes/{person}")
    assert audit_targets(console, "view")[before:] == [f"intake:{person}"]


def test_the_status_moves_through_the_workflow_and_each_step_is_audited(console, admin, crisis):
    for current, new in [("new", "in_review"), ("in_review", "contacted"), ("contacted", "closed"), ("closed", "in_review")]:
        admin.get(f"/intakes/{crisis}")
        response = admin.submit(f"/intakes/{crisis}/status", {"current": current, "status": new})
        assert response.status_code == 303 and response.headers["Location"] == f"/intakes/{crisis}?done=status"
        assert status_of(console, crisis) == new
    assert f"intake:{crisis} contacted->closed" in audit_targets(console, "status_change")
    assert "The status was changed." in admin.get(f"/intakes/{crisis}?done=status").text


@pytest.mark.parametrize("current, new, message", [
    ("new", "closed", "An intake cannot go from “new” to “closed”."),
    ("new", "contacted", "An intake cannot go from “new” to “contacted”."),
    ("new", "archived", "An intake cannot go from “new” to “archived”."),
    ("in_review", "contacted", "Someone changed this intake to “new” meanwhile"),
])
def test_a_step_the_workflow_does_not_allow_is_refused_and_changes_nothing(console, admin, current, new, message):
    intake_id = flag_crisis(console.database.sessions, f"sender-workflow-{current}-{new}", "rest")
    admin.get(f"/intakes/{intake_id}")
    response = admin.submit(f"/intakes/{intake_id}/status", {"current": current, "status": new})
    assert response.status_code == 409 and message in response.text
    assert status_of(console, intake_id) == "new"
    assert not any(target.startswith(f"intake:{intake_id} ") for target in audit_targets(console, "status_change"))


def test_an_intake_can_be_assigned_to_staff_only(console, admin, person):
    admin.get(f"/intakes/{person}")
    assert admin.submit(f"/intakes/{person}/assignee", {"assignee": REVIEWER}).status_code == 303
    with console.database.sessions() as session:
        assert session.get(IntakeRecord, person).assignee == REVIEWER
    refused = admin.submit(f"/intakes/{person}/assignee", {"assignee": "stranger@example.org"})
    assert refused.status_code == 409 and "Choose a staff member from the list." in refused.text
    assert admin.submit(f"/intakes/{person}/assignee", {"assignee": ""}).status_code == 303
    with console.database.sessions() as session:
        assert session.get(IntakeRecord, person).assignee is None
    assert f"intake:{person} to {REVIEWER}" in audit_targets(console, "assign")


def test_notes_are_added_escaped_and_kept_when_refused(console, reviewer, person):
    reviewer.get(f"/intakes/{person}")
    assert reviewer.submit(f"/intakes/{person}/notes", {"body": f"Called, left a message {SCRIPT}"}).status_code == 303
    page = reviewer.get(f"/intakes/{person}").text
    assert "Called, left a message &lt;script&gt;" in page and f"{REVIEWER} ·" in page
    too_long = "x" * 5001
    refused = reviewer.submit(f"/intakes/{person}/notes", {"body": too_long})
    assert refused.status_code == 409 and "at most 5000 characters" in refused.text
    assert f">{too_long}</textarea>" in refused.text  # nothing typed is lost
    assert reviewer.submit(f"/intakes/{person}/notes", {"body": "   "}).status_code == 409


def test_notes_go_when_the_person_is_erased(console):
    intake_id = flag_crisis(console.database.sessions, "sender-to-erase", "rest")
    with console.database.sessions() as session, session.begin():
        session.add(IntakeNote(intake_id=intake_id, author=ADMIN, body="a note"))
    erase_sender(console.database.engine, "sender-to-erase")
    with console.database.sessions() as session:
        assert session.scalar(sa.select(sa.func.count(IntakeNote.id)).where(IntakeNote.intake_id == intake_id)) == 0


@pytest.mark.parametrize("path", ["/intakes/999999", "/intakes/999999/reveal"])
def test_a_missing_intake_is_a_plain_404(admin, path):
    response = admin.get(path)
    assert response.status_code == 404 and "There is no intake with this number" in response.text


def test_changing_a_missing_intake_is_a_404(admin):
    admin.get("/")
    response = admin.submit("/intakes/999999/status", {"current": "new", "status": "in_review"})
    assert response.status_code == 404


def test_a_staff_reply_in_a_live_hand_off_is_labelled_as_staff_not_the_assistant():
    import json

    from bot.console.transcript import turns_from_events

    rows = [
        ("user", 1.0, "request_human", json.dumps({"text": "can I talk to a person"})),
        ("bot", 2.0, None, json.dumps({"text": "Hello, I'm Sam from the team.", "metadata": {"sent_by": "staff"}})),
        ("bot", 3.0, None, json.dumps({"text": "You're back with the assistant."})),
    ]
    assert [turn.speaker for turn in turns_from_events(rows)] == ["user", "staff", "bot"]
