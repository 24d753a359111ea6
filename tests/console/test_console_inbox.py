"""The inbox: filters, search, urgent-first order, pagination, counts, and the CSV export."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa

from bot.console.export import csv_safe
from bot.console.inbox_query import PAGE_SIZE
from bot.intake import IntakeSummary, flag_crisis, save_intake
from bot.models import AuditEntry, IntakeRecord
from tests.console.conftest import ADMIN

CONSENT = {"given": True, "at": "2024-03-01T10:00:00Z", "version": "v1"}
SQL_INJECTIONS = [
    "' OR 1=1 --",
    "'; DROP TABLE intake_records; --",
    "\" OR \"\"=\"",
    "1; DELETE FROM intake_records",
    "%' UNION SELECT sqlite_version(), 1, 1 --",
    "alcohol%",
    "_",
    "\\",
    "\x00",
]


def add_intake(database, sender, *, concerns=("alcohol",), channel="rest", created=None, status="new",
               crisis=False, email=None, **extra) -> int:
    intake_id = save_intake(database.sessions, IntakeSummary(
        sender_id=sender, channel=channel, concerns=concerns, consent=CONSENT, crisis=crisis,
        contact_email=email, contact_method="email" if email else None, **extra))
    with database.sessions() as session, session.begin():
        record = session.get(IntakeRecord, intake_id)
        record.review_status = status
        record.created_at = created or dt.datetime(2024, 3, 1, 12, 0)
    return intake_id


@pytest.fixture(scope="module")
def intakes(console):
    """A small inbox: named intakes to filter, plus enough plain ones to need pages."""
    db = console.database
    ids = {
        "drink": add_intake(db, "sender-drink", created=dt.datetime(2024, 1, 10, 9), email="drinker@example.com"),
        "grief": add_intake(db, "sender-grief", concerns=("bereavement",), channel="twilio", status="in_review",
                            created=dt.datetime(2024, 2, 10, 9)),
        "closed_crisis": add_intake(db, "sender-old-crisis", concerns=("depression",), status="closed", crisis=True,
                                    created=dt.datetime(2024, 3, 20, 9)),
        "formula": add_intake(db, "sender-formula", channel="@sum(A1)", created=dt.datetime(2024, 1, 5, 9),
                              preferences={"location": "Flat 2, 12 Oak Street", "format": "online"},
                              recommendations=[{"name": '=HYPERLINK("http://evil.example","x")', "reasons": []}]),
    }
    ids["crisis"] = flag_crisis(db.sessions, "sender-crisis", "rest")  # the minimal record: no consent
    with db.sessions() as session, session.begin():
        session.get(IntakeRecord, ids["crisis"]).created_at = dt.datetime(2022, 1, 1)  # the oldest of all
    for number in range(PAGE_SIZE):
        add_intake(db, f"sender-plain-{number}", concerns=("gambling",), created=dt.datetime(2023, 6, 1) + dt.timedelta(hours=number))
    return ids


def listed(response) -> list:
    return [int(found) for found in re.findall(r'<a href="/intakes/(\d+)">', response.text)]


def test_open_crisis_intakes_come_first_and_are_unmissable(admin, intakes):
    response = admin.get("/")
    assert response.status_code == 200
    assert listed(response)[0] == intakes["crisis"]
    assert '<p class="crisis-banner" role="alert">' in response.text
    assert "1 crisis-flagged intake not closed" in response.text
    row = re.search(rf'<tr class="crisis">\s*<td><a href="/intakes/{intakes["crisis"]}">', response.text)
    assert row is not None and '<span class="crisis-badge">Crisis</span>' in response.text


def test_a_closed_crisis_keeps_its_badge_but_no_longer_jumps_the_queue(admin, intakes):
    ids = listed(admin.get("/?crisis=yes"))
    assert ids == [intakes["crisis"], intakes["closed_crisis"]]
    everything = listed(admin.get("/"))
    assert everything.index(intakes["closed_crisis"]) == 1  # simply the newest of the rest


@pytest.mark.parametrize("query, expected", [
    ("status=in_review", ["grief"]),
    ("concern=bereavement", ["grief"]),
    ("channel=twilio", ["grief"]),
    ("crisis=yes&status=closed", ["closed_crisis"]),
    ("from=2024-01-01&to=2024-01-31", ["drink", "formula"]),
    ("from=2024-02-10&to=2024-02-10", ["grief"]),
    ("q=DRINKER@example", ["drink"]),
    ("q=sender-grief", ["grief"]),
    ("concern=alcohol&crisis=no&to=2024-01-07", ["formula"]),
])
def test_filters_and_search_select_the_right_intakes(admin, intakes, query, expected):
    response = admin.get(f"/?{query}")
    assert response.status_code == 200
    assert listed(response) == [intakes[name] for name in expected]
    assert f"<strong>{len(expected)}</strong> matching intake" in response.text


def test_the_filter_form_shows_the_chosen_values(admin, intakes):
    text = admin.get("/?status=in_review&concern=bereavement&channel=twilio").text
    for field, value, shown in [("status", "in_review", "in review"), ("concern", "bereavement", "bereavement"),
                                ("channel", "twilio", "twilio")]:
        select = re.search(rf'<select id="{field}" name="{field}">(.*?)</select>', text, re.S).group(1)
        assert re.findall(r'<option value="([^"]*)" selected>([^<]*)<', select) == [(value, shown)]


def test_an_intake_number_finds_that_intake(admin, intakes):
    assert listed(admin.get(f"/?q=%23{intakes['grief']}")) == [intakes["grief"]]


def test_counts_per_status_follow_the_other_filters(admin, intakes):
    text = admin.get("/?concern=depression").text
    assert "closed: 1" in text and "new: 0" in text


def test_long_lists_are_paged(admin, intakes):
    first, second = admin.get("/"), admin.get("/?page=2")
    total = len(intakes) + PAGE_SIZE
    assert len(listed(first)) == PAGE_SIZE and len(listed(second)) == total - PAGE_SIZE
    assert not set(listed(first)) & set(listed(second))
    assert 'href="/?page=2" rel="next"' in first.text and "Page 1 of 2" in first.text


def test_a_page_past_the_end_shows_the_last_page_and_says_so(admin, intakes):
    response = admin.get("/?page=99")
    assert response.status_code == 400
    assert "There are only 2 pages; showing the last one." in response.text
    assert listed(response) == listed(admin.get("/?page=2"))


@pytest.mark.parametrize("query, message", [
    ("status=archived", "“archived” is not a status"),
    ("concern=cats", "“cats” is not a concern"),
    ("crisis=maybe", "The crisis filter is yes, no or empty"),
    ("from=31/12/2024", "is not a date like 2024-05-31"),
    ("page=-3", "The page number was not a page of this list"),
    ("channel=%3Cscript%3E", "A channel name has only letters"),
])
def test_bad_filter_values_get_a_clear_message_not_an_error(admin, intakes, query, message):
    response = admin.get(f"/?{query}")
    assert response.status_code == 400
    assert message in response.text
    assert len(listed(response)) == PAGE_SIZE  # the rest of the page still works


def test_swapped_dates_are_put_right(admin, intakes):
    response = admin.get("/?from=2024-01-31&to=2024-01-01")
    assert "the dates were swapped" in response.text
    assert sorted(listed(response)) == sorted([intakes["drink"], intakes["formula"]])


@pytest.mark.parametrize("field", ["q", "status", "concern", "channel", "crisis", "from", "to", "page"])
def test_sql_injection_in_any_filter_does_no_harm(console, admin, intakes, field):
    with console.database.sessions() as session:
        before = session.scalar(sa.select(sa.func.count(IntakeRecord.id)))
    for payload in SQL_INJECTIONS:
        response = admin.get("/", params={field: payload})
        assert response.status_code in (200, 400), (field, payload)
        if field == "q" and payload != "\x00":  # (a lone control character is dropped: no search)
            assert listed(response) == [], payload  # matched literally, so nothing matches
        export = admin.get("/intakes.csv", params={field: payload})
        assert export.status_code in (200, 400), (field, payload)
    with console.database.sessions() as session:
        assert session.scalar(sa.select(sa.func.count(IntakeRecord.id))) == before


def exported(admin, query=""):
    response = admin.get(f"/intakes.csv{query}")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.text))), response.text


def test_the_export_holds_the_filtered_intakes_without_personal_data(admin, intakes):
    rows, text = exported(admin, "?from=2024-01-01&to=2024-01-31")
    assert [int(row["intake"]) for row in rows] == [intakes["drink"], intakes["formula"]]
    assert "drinker@example.com" not in text and "sender-" not in text and "Oak Street" not in text
    drink = rows[0]
    assert drink["contact_method"] == "email" and drink["contact_details_on_file"] == "yes"
    assert "[address]" in rows[1]["preferences"] and "format=online" in rows[1]["preferences"]


def test_the_export_defuses_spreadsheet_formulas(admin, intakes):
    rows, _text = exported(admin, "?q=sender-formula")
    assert rows[0]["channel"] == "'@sum(A1)"
    assert rows[0]["recommended_groups"] == "'=HYPERLINK(\"http://evil.example\",\"x\")"


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_cell_a_spreadsheet_would_run_is_prefixed(cell):
    assert csv_safe(cell) == "'" + cell


def test_plain_cells_are_left_alone():
    assert csv_safe("online; near Leeds") == "online; near Leeds"


def test_exports_are_audited_without_the_search_words(console, admin, intakes):
    exported(admin, "?q=drinker&concern=alcohol")
    with console.database.sessions() as session:
        entry = session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "export")
                                .order_by(AuditEntry.id.desc())).first()
    assert entry.actor == ADMIN
    assert entry.target == "intakes (1) concern=alcohol q=(search)"


def test_an_export_with_a_bad_filter_is_refused_with_the_reason(admin, intakes):
    response = admin.get("/intakes.csv?status=archived")
    assert response.status_code == 400
    assert "“archived” is not a status" in response.text
