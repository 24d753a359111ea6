"""The audit log: who signed in and what they did, readable by admins, never editable."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from bot.models import AuditEntry
from tests.console.conftest import ADMIN, REVIEWER


def test_the_audit_log_lists_sign_ins_newest_first(admin, reviewer):
    page = admin.get("/audit").text
    assert page.index(f"<td>{REVIEWER}</td>") < page.index(f"<td>{ADMIN}</td>")  # the reviewer signed in later
    assert "<td>sign in</td>" in page and "<td>127.0.0.1</td>" in page


def test_the_audit_log_can_be_filtered_by_action(console, admin):
    console.browser().sign_in(ADMIN, "wrong password")
    page = admin.get("/audit?action=sign_in_failed").text
    assert "<td>sign in failed</td>" in page and "<td>sign in</td>" not in page


def test_a_bad_action_filter_is_explained(admin):
    response = admin.get("/audit?action=%27%3B+DROP+TABLE+audit_log")
    assert response.status_code == 400 and "An action name has only lower-case letters" in response.text


def test_reviewers_cannot_read_the_audit_log(reviewer):
    assert reviewer.get("/audit").status_code == 403


def test_no_route_changes_the_audit_log(console):
    # No state-changing route lives under /audit, whoever adds routes.
    paths = {route.resource.canonical for route in console.app.router.routes() if route.method not in ("GET", "HEAD")}
    assert not any(path.startswith("/audit") for path in paths)


@pytest.mark.parametrize("statement", [
    sa.update(AuditEntry).values(actor="someone-else@example.org"),
    sa.delete(AuditEntry),
])
def test_the_database_refuses_to_edit_or_delete_entries(console, admin, statement):
    with console.database.sessions() as session:
        before = session.scalar(sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.actor == ADMIN))
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):
        with console.database.engine.begin() as connection:
            connection.execute(statement)
    with console.database.sessions() as session:
        assert session.scalar(sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.actor == ADMIN)) == before > 0
