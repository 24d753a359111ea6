import dataclasses

import pytest
import sqlalchemy as sa

from bot.catalog.csv_format import read_csv, write_csv
from bot.catalog.records import RecordError
from bot.catalog.seed import SEED_CSV, seed_if_empty
from bot.catalog.store import upsert_groups
from bot.models import CONCERNS, Group


@pytest.fixture(scope="module")
def seed_records():
    return read_csv(SEED_CSV.read_text(encoding="utf-8"))


def test_the_seed_catalog_covers_every_concern_format_and_leader(seed_records):
    assert len(seed_records) >= 60
    for concern in CONCERNS:
        assert sum(concern in r.concerns for r in seed_records) >= 5, concern
    assert {r.format for r in seed_records} == {"in_person", "online", "hybrid"}
    assert {r.leader for r in seed_records} == {"peer", "professional"}
    assert sum("es" in r.languages for r in seed_records) >= 5
    assert any(r.accessibility for r in seed_records) and any(not r.accessibility for r in seed_records)
    assert any(r.observers_welcome for r in seed_records) and any(not r.observers_welcome for r in seed_records)


def test_csv_round_trips(seed_records):
    assert read_csv(write_csv(seed_records)) == seed_records


def test_a_bad_row_is_reported_with_its_line_and_reason(seed_records):
    text = write_csv(seed_records[:3]).splitlines()
    text[2] = text[2].replace(f",{seed_records[1].leader},", ",pear,", 1)
    with pytest.raises(RecordError, match=r"line 3: leader must be one of peer, professional, not 'pear'"):
        read_csv("\n".join(text))


def test_a_missing_column_is_reported():
    with pytest.raises(RecordError, match="lacks the column"):
        read_csv("slug,name\nx,y\n")


def test_upsert_counts_created_updated_unchanged(database, seed_records):
    with database.sessions() as session, session.begin():
        first = upsert_groups(session, seed_records[:5])
    changed = [dataclasses.replace(seed_records[0], name="Renamed circle")] + seed_records[1:6]
    with database.sessions() as session, session.begin():
        second = upsert_groups(session, changed)
    assert (first.created, first.updated, first.unchanged) == (5, 0, 0)
    assert (second.created, second.updated, second.unchanged) == (1, 1, 4)
    with database.sessions() as session:
        assert session.scalar(sa.select(Group.name).where(Group.slug == seed_records[0].slug)) == "Renamed circle"


def test_a_repeated_slug_stops_the_import(database, seed_records):
    with pytest.raises(RecordError, match="appears more than once"):
        with database.sessions() as session, session.begin():
            upsert_groups(session, [seed_records[0], seed_records[0]])
    with database.sessions() as session:
        assert session.scalar(sa.select(sa.func.count(Group.id))) == 0


def test_seeding_happens_once(database, seed_records):
    assert seed_if_empty(database.sessions).created == len(seed_records)
    assert seed_if_empty(database.sessions).created == 0
