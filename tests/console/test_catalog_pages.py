"""Catalog pages on a real console: search, admin-only edits with validation, deactivation, imports."""
from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import sqlalchemy as sa

from bot.catalog.csv_format import read_csv, write_csv
from bot.catalog.records import GroupRecord
from bot.catalog.seed import SEED_CSV, seed_if_empty
from bot.catalog.store import record_of
from bot.console.catalog_pages import PAGE_SIZE
from bot.models import AuditEntry, Group
from bot.settings import PROJECT_ROOT
from tests.console.conftest import ADMIN

FEED = PROJECT_ROOT / "tests" / "fixtures" / "meeting_guide_feed.json"


@pytest.fixture(scope="module")
def seeded(console):
    seed_if_empty(console.database.sessions)
    return console.database


def group(database, slug: str) -> Group:
    with database.sessions() as session:
        return session.scalars(sa.select(Group).where(Group.slug == slug)).one()


def group_count(database) -> int:
    with database.sessions() as session:
        return session.scalar(sa.select(sa.func.count(Group.id)))


def audit_actions(database, target: str):
    with database.sessions() as session:
        return list(session.execute(
            sa.select(AuditEntry.actor, AuditEntry.action).where(AuditEntry.target == target).order_by(AuditEntry.id)))


def edit_form(record: GroupRecord, **changes) -> dict:
    """The edit form as a browser submits it, filled from `record`, with `changes`."""
    form = {
        **{name: getattr(record, name) for name in (
            "name", "description", "leader", "approach", "format", "address", "city", "postcode", "country",
            "online_instructions", "cost", "contact")},
        "concerns": list(record.concerns), "accessibility": list(record.accessibility),
        "languages": ", ".join(record.languages), "typical_size": str(record.typical_size or ""),
    }
    form.update({name: "yes" for name in ("observers_welcome", "newcomers_welcome") if getattr(record, name)})
    form.update(changes)
    return {name: value for name, value in form.items() if value is not None}


def upload(client, content: bytes, file_format: str, filename: str = "groups.csv", concern: str = "alcohol"):
    return client.post("/catalog/import", data={"csrf_token": client.csrf_token, "format": file_format,
                                                "concern": concern},
                       files={"file": (filename, content, "application/octet-stream")})


# ---------------------------------------------------------------- list and search

def test_groups_are_listed_a_page_at_a_time_with_their_total(reviewer, seeded):
    total = group_count(seeded)
    first = reviewer.get("/catalog")
    assert first.status_code == 200 and f"{total} groups, page 1 of 2" in first.text
    assert first.text.count('<tr>\n      <td><a href="/catalog/') == PAGE_SIZE
    second = reviewer.get("/catalog?page=2")
    assert second.text.count('<tr>\n      <td><a href="/catalog/') == total - PAGE_SIZE


def test_search_finds_groups_by_name_town_or_postcode(reviewer, seeded):
    assert "Harbour Lights Recovery Circle" in reviewer.get("/catalog?q=harbour+LIGHTS").text
    by_postcode = reviewer.get("/catalog?q=SE1 7PB").text
    assert "Harbour Lights Recovery Circle" in by_postcode and "1 group" in by_postcode
    glasgow = reviewer.get("/catalog?q=glasgow&concern=alcohol").text
    assert "Dry Dock Sunday Mornings" in glasgow and "Harbour Lights" not in glasgow


@pytest.mark.parametrize("search", ["'; DROP TABLE groups; --", "%", "_", "\" OR 1=1 --"])
def test_search_strings_are_data_not_sql_or_wildcards(reviewer, seeded, search):
    before = group_count(seeded)
    page = reviewer.get("/catalog", params={"q": search})
    assert page.status_code == 200 and "0 groups" in page.text
    assert group_count(seeded) == before


def test_an_unknown_filter_value_is_explained_and_ignored(reviewer, seeded):
    page = reviewer.get("/catalog", params={"concern": "<b>knitting</b>"})
    assert page.status_code == 400
    assert "“&lt;b&gt;knitting&lt;/b&gt;” is not a concern the catalog knows" in page.text
    assert f"{group_count(seeded)} groups" in page.text


# ---------------------------------------------------------------- edits (admins only)

def test_reviewers_can_read_a_group_but_not_change_it(reviewer, seeded):
    harbour = group(seeded, "harbour-lights-recovery-circle")
    page = reviewer.get(f"/catalog/{harbour.id}")
    assert page.status_code == 200 and "Tuesday 19:00–20:30" in page.text and "/edit" not in page.text
    assert reviewer.get(f"/catalog/{harbour.id}/edit").status_code == 403
    form = edit_form(record_of(harbour), name="Hijacked")
    assert reviewer.post(f"/catalog/{harbour.id}/edit", data={**form, "csrf_token": reviewer.csrf_token}).status_code == 403
    assert reviewer.post(f"/catalog/{harbour.id}/active", data={"active": "no", "csrf_token": reviewer.csrf_token}).status_code == 403
    assert group(seeded, "harbour-lights-recovery-circle").name == harbour.name


def test_an_admin_edit_is_saved_dated_and_audited(admin, seeded):
    dock = group(seeded, "dry-dock-sunday-mornings")
    assert admin.get(f"/catalog/{dock.id}/edit").status_code == 200
    form = edit_form(record_of(dock), name="Dry Dock Sunday Brunch", concerns=["alcohol", "drugs"],
                     accessibility=["wheelchair"], typical_size="14", languages="en, es", country="gb")
    form.pop("observers_welcome", None)
    response = admin.submit(f"/catalog/{dock.id}/edit", form)
    assert response.status_code == 303 and response.headers["Location"] == f"/catalog/{dock.id}?done=saved"
    saved = record_of(group(seeded, "dry-dock-sunday-mornings"))
    assert (saved.name, saved.concerns, saved.accessibility, saved.typical_size) == (
        "Dry Dock Sunday Brunch", ("alcohol", "drugs"), ("wheelchair",), 14)
    assert (saved.languages, saved.country, saved.observers_welcome) == (("en", "es"), "GB", False)
    assert saved.last_updated == dt.datetime.now(dt.timezone.utc).date()
    assert saved.meetings == record_of(dock).meetings  # not on the form, so untouched
    assert audit_actions(seeded, f"group:{dock.id}") == [(ADMIN, "catalog_edit")]


@pytest.mark.parametrize("changes, reason", [
    ({"concerns": None}, "a group needs at least one concern"),
    ({"typical_size": "ten"}, "typical size must be a whole number, not &#39;ten&#39;"),
    ({"name": "   "}, "name is empty"),
    ({"leader": "robot"}, "leader must be one of peer, professional"),
    ({"languages": "english"}, "language &#39;english&#39; must be a two-letter ISO 639-1 code"),
    ({"country": "GBR"}, "country must be a two-letter code"),
    ({"city": "x" * 121}, "city can be at most 120 characters"),
])
def test_a_refused_edit_keeps_what_was_typed_and_changes_nothing(admin, seeded, changes, reason):
    harbour = group(seeded, "harbour-lights-recovery-circle")
    form = edit_form(record_of(harbour), description="A <new> description", **changes)
    response = admin.submit(f"/catalog/{harbour.id}/edit", form)
    assert response.status_code == 400
    assert f"Not saved: {reason}" in response.text
    assert "A &lt;new&gt; description</textarea>" in response.text
    assert record_of(group(seeded, "harbour-lights-recovery-circle")) == record_of(harbour)


def test_deactivating_and_reactivating_a_group_is_audited(admin, seeded):
    harbour = group(seeded, "harbour-lights-recovery-circle")
    response = admin.submit(f"/catalog/{harbour.id}/active", {"active": "no"})
    assert response.status_code == 303
    assert group(seeded, harbour.slug).active is False
    assert "deactivated" in admin.get("/catalog?state=inactive&q=harbour").text
    assert "0 groups" in admin.get("/catalog?state=active&q=harbour+lights").text
    admin.submit(f"/catalog/{harbour.id}/active", {"active": "yes"})
    assert group(seeded, harbour.slug).active is True
    assert audit_actions(seeded, f"group:{harbour.id}")[-2:] == [(ADMIN, "catalog_deactivate"), (ADMIN, "catalog_reactivate")]


def test_a_missing_group_is_a_plain_404(admin, seeded):
    assert admin.get("/catalog/999999").status_code == 404
    assert admin.submit("/catalog/999999/active", {"active": "no"}).status_code == 404


# ---------------------------------------------------------------- imports

def new_records(count: int, prefix: str):
    seed = read_csv(SEED_CSV.read_text(encoding="utf-8"))[0]
    return [dataclasses.replace(seed, slug=f"{prefix}-{n}", name=f"{prefix.title()} group {n}") for n in range(count)]


def test_a_csv_import_shows_created_updated_and_unchanged_counts_and_is_audited(admin, seeded):
    records = new_records(3, "riverside")
    first = upload(admin, write_csv(records).encode(), "csv")
    assert first.status_code == 200 and "Imported: 3 created, 0 updated, 0 unchanged." in first.text
    changed = [dataclasses.replace(records[0], name="Riverside renamed")] + records[1:]
    again = upload(admin, ("\ufeff" + write_csv(changed)).encode(), "csv")  # with a byte-order mark, as Excel saves
    assert "Imported: 0 created, 1 updated, 2 unchanged." in again.text
    assert group(seeded, "riverside-0").name == "Riverside renamed"
    assert audit_actions(seeded, "catalog (3 groups)") == [(ADMIN, "catalog_import")] * 2


def test_a_meeting_guide_feed_is_imported_for_the_chosen_concern(admin, seeded):
    page = upload(admin, FEED.read_bytes(), "meeting-guide", "feed.json", concern="drugs")
    assert page.status_code == 200 and "created, 0 updated, 0 unchanged." in page.text
    assert group(seeded, "sunrise-serenity").concerns == ["drugs"]


def test_a_bad_row_imports_nothing_and_names_the_line(admin, seeded):
    records = new_records(3, "lakeside")
    lines = write_csv(records).splitlines()
    lines[3] = lines[3].replace(",peer,", ",pear,", 1)
    before = group_count(seeded)
    page = upload(admin, "\n".join(lines).encode(), "csv")
    assert page.status_code == 400
    assert "Nothing was imported: line 4: leader must be one of peer, professional, not &#39;pear&#39;." in page.text
    assert group_count(seeded) == before


@pytest.mark.parametrize("content, file_format, reason", [
    (b'[{"name": "No slug or day"', "meeting-guide", "the feed is not valid JSON"),
    (b'{"meetings": []}', "meeting-guide", "the top level of the feed must be a JSON array"),
    ("slug,name\nx,y\n".encode("utf-16"), "csv", "the file is not UTF-8 text"),
    (b"   \n", "csv", "the file is empty"),
    (b"slug,name\nx,y\n", "csv", "the CSV header lacks the column(s): concerns, leader, format"),
    (b"slug,name\nx,y\n", "excel", "choose the file&#39;s format"),
])
def test_a_bad_file_gets_a_clear_answer_and_imports_nothing(admin, seeded, content, file_format, reason):
    before = group_count(seeded)
    page = upload(admin, content, file_format)
    assert page.status_code == 400 and f"Nothing was imported: {reason}" in page.text
    assert group_count(seeded) == before


def test_an_import_without_a_file_is_refused_politely(admin, seeded):
    page = admin.submit("/catalog/import", {"format": "csv"})
    assert page.status_code == 400 and "Nothing was imported: choose a file to upload." in page.text


def test_an_import_without_the_csrf_token_is_refused(admin, seeded):
    before = group_count(seeded)
    response = admin.post("/catalog/import", data={"format": "csv"},
                          files={"file": ("g.csv", write_csv(new_records(1, "forged")).encode())})
    assert response.status_code == 403 and group_count(seeded) == before
