import datetime as dt

import pytest
from hypothesis import given, settings, strategies as st

from bot.matching import MatchRequest, RequestError, rank
from bot.matching.catalog_view import CatalogView, GroupView, MeetingView
from bot.models import ACCESSIBILITY, AUDIENCES, CONCERNS


def group(slug, **fields) -> GroupView:
    defaults = dict(
        id=abs(hash(slug)) % 10_000, slug=slug, name=slug.title(), description="",
        concerns=frozenset({"alcohol"}), leader="peer", approach="discussion", format="in_person",
        meetings=(MeetingView(1, dt.time(19), dt.time(20, 30)),), timezone="Europe/London", address="",
        city="Leeds", country="GB", latitude=53.80, longitude=-1.55, languages=frozenset({"en"}),
        accessibility=frozenset(), audience=frozenset(), observers_welcome=True,
        newcomers_welcome=True, typical_size=10, cost="free", contact="",
    )
    defaults.update(fields)
    return GroupView(**defaults)


def catalog(*groups) -> CatalogView:
    index = {}
    for g in groups:
        for concern in g.concerns:
            index.setdefault(concern, []).append(g)
    return CatalogView({k: tuple(v) for k, v in index.items()})


def slugs(result):
    return [m.group.slug for m in result.matches]


def test_closed_groups_are_never_offered_to_observers():
    result = rank(catalog(group("open"), group("closed", observers_welcome=False)),
                  MatchRequest(concern="alcohol", observe_first=True, limit=5))
    assert slugs(result) == ["open"]
    assert "welcomes people who just want to listen" in result.matches[0].reasons


def test_only_the_requested_concern_is_offered():
    result = rank(catalog(group("drink"), group("bets", concerns=frozenset({"gambling"}))),
                  MatchRequest(concern="gambling", limit=5))
    assert slugs(result) == ["bets"]


def test_hybrid_groups_count_as_online_and_in_person():
    groups = catalog(group("room"), group("zoom", format="online"), group("both", format="hybrid"))
    assert set(slugs(rank(groups, MatchRequest(concern="alcohol", format="online", limit=5)))) == {"zoom", "both"}
    assert set(slugs(rank(groups, MatchRequest(concern="alcohol", format="in_person", limit=5)))) == {"room", "both"}


def test_women_only_groups_are_offered_only_to_people_they_are_for():
    groups = catalog(group("open"), group("women", audience=frozenset({"women"})))
    assert slugs(rank(groups, MatchRequest(concern="alcohol", limit=5))) == ["open"]
    assert "women" in slugs(rank(groups, MatchRequest(concern="alcohol", audience=("women",), limit=5)))


def test_family_members_are_eligible_for_family_groups():
    groups = catalog(group("family", concerns=frozenset({"family_support"}), audience=frozenset({"family_members"})))
    assert slugs(rank(groups, MatchRequest(concern="family_support"))) == ["family"]


def test_preferred_days_and_time_rank_first_with_a_reason():
    groups = catalog(group("tuesday"), group("saturday", meetings=(MeetingView(5, dt.time(10), None),)))
    result = rank(groups, MatchRequest(concern="alcohol", days=("weekend",), time_of_day="morning"))
    assert slugs(result)[0] == "saturday"
    assert "meets Saturdays 10am" in result.matches[0].reasons


def test_distance_orders_in_person_groups():
    near = group("near", latitude=53.80, longitude=-1.55)
    far = group("far", latitude=51.50, longitude=-0.13, city="London")
    result = rank(catalog(far, near), MatchRequest(concern="alcohol", location="Leeds"))
    assert slugs(result)[0] == "near"
    assert any("km from Leeds" in reason or "in Leeds" in reason for reason in result.matches[0].reasons)


def test_an_unknown_place_is_said_not_guessed():
    result = rank(catalog(group("a")), MatchRequest(concern="alcohol", location="Xqzzyville"))
    assert any("couldn't place" in note for note in result.notes)


def test_format_is_relaxed_only_with_a_note():
    result = rank(catalog(group("room")), MatchRequest(concern="alcohol", format="online"))
    assert slugs(result) == ["room"]
    assert any("couldn't find an online group" in note for note in result.notes)


def test_access_needs_are_never_relaxed():
    result = rank(catalog(group("stairs")), MatchRequest(concern="alcohol", accessibility=("wheelchair",)))
    assert result.matches == ()
    assert "access needs" in result.notes[0]


def test_paging_shows_the_next_groups():
    groups = catalog(*[group(f"g{i}") for i in range(7)])
    first = rank(groups, MatchRequest(concern="alcohol", limit=3))
    second = rank(groups, MatchRequest(concern="alcohol", limit=3, offset=3))
    assert first.total == 7 and len(first.matches) == 3
    assert not set(slugs(first)) & set(slugs(second))


@pytest.mark.parametrize("field,value", [("concern", "cats"), ("format", "carrier pigeon"), ("days", ("someday",)),
                                         ("language", "english"), ("accessibility", ("ramp",)), ("leader", "boss")])
def test_unknown_values_are_refused_with_the_allowed_ones(field, value):
    fields = {"concern": "alcohol", field: value}
    with pytest.raises(RequestError, match="use"):
        MatchRequest(**fields)


# --- property: no result ever violates a hard constraint ------------------------

meetings = st.lists(
    st.builds(MeetingView, st.integers(0, 6), st.times(), st.none()), min_size=0, max_size=3
).map(tuple)
groups_strategy = st.builds(
    lambda i, concerns, fmt, langs, access, audience, observers, meets: group(
        f"g{i}", concerns=concerns, format=fmt, languages=langs, accessibility=access,
        audience=audience, observers_welcome=observers, meetings=meets,
    ),
    st.integers(0, 10_000),
    st.frozensets(st.sampled_from(CONCERNS), min_size=1, max_size=2),
    st.sampled_from(["in_person", "online", "hybrid"]),
    st.frozensets(st.sampled_from(["en", "es", "fr"]), min_size=1, max_size=2),
    st.frozensets(st.sampled_from(ACCESSIBILITY), max_size=3),
    st.frozensets(st.sampled_from(AUDIENCES), max_size=1),
    st.booleans(),
    meetings,
)
requests = st.builds(
    MatchRequest,
    concern=st.sampled_from(CONCERNS),
    format=st.sampled_from([None, "in_person", "online", "either"]),
    days=st.lists(st.sampled_from(["monday", "saturday", "weekday", "weekend"]), max_size=2).map(tuple),
    time_of_day=st.sampled_from([None, "morning", "afternoon", "evening"]),
    language=st.sampled_from([None, "en", "es", "fr"]),
    accessibility=st.lists(st.sampled_from(ACCESSIBILITY), max_size=2).map(tuple),
    leader=st.sampled_from([None, "peer", "professional", "either"]),
    observe_first=st.booleans(),
    audience=st.lists(st.sampled_from(AUDIENCES), max_size=1).map(tuple),
    anxious=st.booleans(),
    limit=st.integers(1, 10),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(groups_strategy, max_size=30, unique_by=lambda g: g.slug), requests)
def test_no_result_ever_violates_a_hard_constraint(groups, request):
    result = rank(catalog(*groups), request)
    format_relaxed = any("included other formats" in note for note in result.notes)
    for match in result.matches:
        g = match.group
        assert request.concern in g.concerns
        assert request.language is None or request.language in g.languages
        assert set(request.accessibility) <= g.accessibility
        assert not g.audience or g.audience & request.eligible_audiences
        assert not request.observe_first or g.observers_welcome
        if request.format in ("in_person", "online") and not format_relaxed:
            assert g.format in (request.format, "hybrid")
    assert len(result.matches) <= request.limit
