import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

import bot.catalog.store as store
from bot.catalog.meeting_guide import read_meeting_guide
from bot.catalog.records import MeetingTime, RecordError
from bot.catalog.store import upsert_groups
from bot.database import Database
from bot.models import Group

FEED = Path(__file__).parent / "fixtures" / "meeting_guide_feed.json"


@pytest.fixture
def feed_text() -> str:
    return FEED.read_text(encoding="utf-8")


@pytest.fixture
def feed(feed_text) -> list:
    return json.loads(feed_text)


@pytest.fixture
def records(feed_text) -> dict:
    return {record.slug: record for record in read_meeting_guide(feed_text)}


def _one(entry: dict, **changes) -> str:
    return json.dumps([{**entry, **changes}])


BASIC = {"name": "Example Group", "slug": "example-group", "day": 1, "time": "19:30"}


# --- mapping --------------------------------------------------------------------------------


def test_the_fixture_yields_one_record_per_slug_with_repeated_slugs_merged(feed, records):
    assert len(feed) == 10
    assert len(records) == 9
    assert records["sunrise-serenity"].meetings == (
        MeetingTime(6, dt.time(7, 0), dt.time(8, 0)),
        MeetingTime(2, dt.time(7, 0), dt.time(8, 0)),
    )


def test_sunday_becomes_weekday_6_and_a_list_of_days_gives_one_meeting_each(records):
    assert records["sunrise-serenity"].meetings[0].weekday == 6
    noon = records["weekday-noon-step-study"]
    assert [m.weekday for m in noon.meetings] == [0, 2, 4]  # Monday, Wednesday, Friday
    assert {(m.start, m.end) for m in noon.meetings} == {(dt.time(12), dt.time(13))}  # HH:MM:SS accepted


def test_a_day_given_as_a_digit_string_is_accepted(records):
    assert records["grupo-nueva-esperanza"].meetings == (MeetingTime(1, dt.time(19, 30), None),)


def test_an_entry_without_a_day_has_no_meetings(records):
    assert records["twelfth-step-call"].meetings == ()


def test_a_messy_slug_is_normalised(records):
    assert "weekday-noon-step-study" in records


def test_open_and_closed_set_whether_observers_are_welcome(records):
    assert records["sunrise-serenity"].observers_welcome is True
    assert records["weekday-noon-step-study"].observers_welcome is False
    assert records["groupe-francophone"].observers_welcome is False
    assert all(r.newcomers_welcome for r in records.values())


def test_accessibility_audience_and_language_codes_are_mapped(records):
    assert records["sunrise-serenity"].accessibility == ("wheelchair",)
    esperanza = records["grupo-nueva-esperanza"]
    assert esperanza.accessibility == ("sign_language",)
    assert esperanza.languages == ("es",)
    assert esperanza.audience == ("women",)
    assert records["crossroads-hybrid"].audience == ("young_adults", "lgbtq")
    assert records["closed-basement"].audience == ("men",)
    assert records["harbour-lights"].audience == ("older_adults",)
    assert records["groupe-francophone"].languages == ("fr", "en")
    assert records["sunrise-serenity"].languages == ("en",)


def test_unknown_type_codes_are_kept_in_extra(records):
    assert records["online-evening-reflections"].extra["other_types"] == ("DR", "ZZZ")


def test_format_follows_conference_details_and_address(records):
    assert records["sunrise-serenity"].format == "in_person"
    online = records["online-evening-reflections"]
    assert online.format == "online"
    assert online.online_instructions == (
        "Join online: https://meet.example.com/j/000000\nPasscode: serenity\n"
        "Phone: +44 20 0000 0000\nMeeting ID 000 000"
    )
    assert records["crossroads-hybrid"].format == "hybrid"


def test_a_temporarily_closed_location_is_inactive_unless_it_meets_online(records):
    assert records["closed-basement"].active is False
    harbour = records["harbour-lights"]
    assert (harbour.active, harbour.format) == (True, "online")
    assert records["sunrise-serenity"].active is True


def test_entity_url_and_entity_website_url_are_both_accepted(records):
    assert records["sunrise-serenity"].extra["website"] == "https://intergroup.example.org"
    assert records["weekday-noon-step-study"].extra["website"] == "https://noon.example.org"


def test_timezone_defaults_to_utc(records):
    assert records["sunrise-serenity"].timezone == "America/New_York"
    assert records["weekday-noon-step-study"].timezone == "UTC"


def test_place_contact_and_dates(records):
    sunrise = records["sunrise-serenity"]
    assert sunrise.address == "Fictional Grace Hall, 12 Example Lane"
    assert (sunrise.city, sunrise.postcode, sunrise.country) == ("Testville", "00001", "US")
    assert (sunrise.latitude, sunrise.longitude) == (40.1234, -75.4321)
    assert sunrise.description == "Coffee from 6:45. Enter by the side door."
    assert sunrise.contact == "sunrise@example.org"
    assert sunrise.last_updated == dt.date(2024, 5, 1)
    noon = records["weekday-noon-step-study"]
    assert noon.address == "400 Placeholder Ave, Testville, ZZ 00002, USA"  # formatted_address
    assert noon.country == ""  # "USA" is not a two-letter code
    assert (noon.latitude, noon.longitude) == (40.2001, -75.3002)  # numeric strings
    assert noon.last_updated is None  # an unparseable date is ignored
    assert records["crossroads-hybrid"].country == "GB"
    assert records["crossroads-hybrid"].contact == "secretary@example.org"
    assert records["grupo-nueva-esperanza"].contact == "+1 555 0100"


def test_every_record_is_a_peer_led_12_step_group_for_the_given_concern(feed_text):
    records = read_meeting_guide(feed_text, concern="drugs")
    assert {(r.leader, r.approach, r.concerns) for r in records} == {("peer", "12_step", ("drugs",))}


def test_an_unknown_concern_is_refused(feed_text):
    with pytest.raises(RecordError, match=r"meeting 1 \(slug 'sunrise-serenity'\): concern must be one of"):
        read_meeting_guide(feed_text, concern="chocolate")


# --- errors ---------------------------------------------------------------------------------


def test_a_missing_name_is_reported_with_its_position(feed):
    del feed[2]["name"]
    with pytest.raises(RecordError, match=r"^meeting 3 \(slug 'grupo-nueva-esperanza'\): name is missing"):
        read_meeting_guide(json.dumps(feed))


def test_a_missing_slug_is_reported_with_its_position(feed):
    del feed[3]["slug"]
    with pytest.raises(RecordError, match=r"^meeting 4: slug is missing"):
        read_meeting_guide(json.dumps(feed))


def test_a_slug_with_no_usable_characters_is_refused():
    with pytest.raises(RecordError, match=r"^meeting 1 \(slug '!!!'\): slug '!!!' cannot be"):
        read_meeting_guide(_one(BASIC, slug="!!!"))


@pytest.mark.parametrize("time", ["25:00", "7pm", "19", "", None, 1930])
def test_a_bad_time_is_reported_with_its_position(time):
    with pytest.raises(RecordError, match=r"^meeting 1 \(slug 'example-group'\): time .* must look like 19:30"):
        read_meeting_guide(_one(BASIC, time=time))


def test_a_bad_end_time_is_reported():
    with pytest.raises(RecordError, match=r"^meeting 1 \(slug 'example-group'\): end_time '8pm'"):
        read_meeting_guide(_one(BASIC, end_time="8pm"))


@pytest.mark.parametrize("day", [7, -1, "Monday", 1.5, True, [1, 7]])
def test_a_bad_day_is_reported_with_its_position(feed, day):
    feed[1]["day"] = day
    with pytest.raises(RecordError, match=r"^meeting 2 \(slug 'Weekday Noon  Step Study!'\): day .* must be 0 \(Sunday\) to 6"):
        read_meeting_guide(json.dumps(feed))


def test_invalid_json_is_reported():
    with pytest.raises(RecordError, match=r"^the feed is not valid JSON: "):
        read_meeting_guide('[{"name": "x",}]')


@pytest.mark.parametrize("text", ['{"meetings": []}', '"hello"', "null"])
def test_the_top_level_must_be_an_array(text):
    with pytest.raises(RecordError, match="top level of the feed must be a JSON array"):
        read_meeting_guide(text)


def test_an_entry_that_is_not_an_object_is_reported():
    with pytest.raises(RecordError, match=r"^meeting 2: must be a JSON object"):
        read_meeting_guide(json.dumps([BASIC, "oops"]))


@pytest.mark.parametrize("field, value", [("latitude", 91), ("longitude", "-180.5")])
def test_coordinates_out_of_range_are_reported_with_their_position(feed, field, value):
    feed[4][field] = value
    with pytest.raises(RecordError, match=rf"^meeting 5 \(slug 'crossroads-hybrid'\): {field} .* out of range"):
        read_meeting_guide(json.dumps(feed))


def test_a_non_numeric_coordinate_is_reported():
    with pytest.raises(RecordError, match=r"^meeting 1 .*latitude must be a number"):
        read_meeting_guide(_one(BASIC, latitude="north", longitude=1))


def test_types_must_be_a_list_of_codes():
    with pytest.raises(RecordError, match=r"^meeting 1 .*types must be a list"):
        read_meeting_guide(_one(BASIC, types="O,X"))


def test_a_repeated_slug_with_a_different_name_is_refused(feed):
    feed[9]["name"] = "Another Group"
    with pytest.raises(RecordError, match=r"^meeting 10 \(slug 'sunrise-serenity'\): slug 'sunrise-serenity' appears twice with different names"):
        read_meeting_guide(json.dumps(feed))


# --- storing --------------------------------------------------------------------------------


@pytest.fixture
def db(tmp_path) -> Database:
    return Database(f"sqlite:///{tmp_path}/t.db")


def _import(db: Database, text: str) -> store.ImportCounts:
    with db.sessions() as s, s.begin():
        return upsert_groups(s, read_meeting_guide(text))


def _snapshot(db: Database) -> list:
    with db.sessions() as s:
        return [
            (g.slug, g.name, g.format, g.active, g.languages, [(m.weekday, m.start_time) for m in g.meetings])
            for g in s.scalars(sa.select(Group).order_by(Group.slug))
        ]


def test_importing_the_same_feed_twice_changes_nothing_and_an_edit_updates_one(db, feed, feed_text):
    n = len(read_meeting_guide(feed_text))
    first = _import(db, feed_text)
    assert (first.created, first.updated, first.unchanged) == (n, 0, 0)
    stored = _snapshot(db)
    assert len(stored) == n
    assert ("sunrise-serenity", "Sunrise Serenity Group", "in_person", True, ["en"],
            [(2, dt.time(7)), (6, dt.time(7))]) in stored

    again = _import(db, feed_text)
    assert (again.created, again.updated, again.unchanged) == (0, 0, n)
    assert _snapshot(db) == stored

    feed[2]["time"] = "20:00"
    edited = _import(db, json.dumps(feed))
    assert (edited.created, edited.updated, edited.unchanged) == (0, 1, n - 1)
    with db.sessions() as s:
        group = s.scalars(sa.select(Group).where(Group.slug == "grupo-nueva-esperanza")).one()
        assert [(m.weekday, m.start_time) for m in group.meetings] == [(1, dt.time(20))]


def test_a_bad_feed_after_a_good_one_leaves_the_database_unchanged(db, feed, feed_text):
    _import(db, feed_text)
    before = _snapshot(db)
    feed[0]["name"] = "Renamed before the bad entry"
    feed[7]["day"] = 7
    with pytest.raises(RecordError, match="meeting 8"):
        _import(db, json.dumps(feed))
    assert _snapshot(db) == before


def test_an_error_in_the_middle_of_storing_rolls_everything_back(db, feed, feed_text, monkeypatch):
    _import(db, feed_text)
    before = _snapshot(db)
    for entry in feed:
        entry["name"] += " (renamed)"
    feed.append({**BASIC, "slug": "brand-new-group"})
    records = read_meeting_guide(json.dumps(feed))

    real_apply, calls = store._apply, []

    def failing_apply(group, record):
        calls.append(record.slug)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        real_apply(group, record)

    monkeypatch.setattr(store, "_apply", failing_apply)
    with pytest.raises(RuntimeError, match="disk full"):
        with db.sessions() as s, s.begin():
            upsert_groups(s, records)
    assert len(calls) == 3
    assert _snapshot(db) == before
