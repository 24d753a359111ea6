"""The matching benchmark's generator and a small end-to-end run (no timing assertions)."""
from bot.benchmarks import matching
from bot.catalog.records import validate
from bot.models import CONCERNS, FORMATS, LEADERS


def test_generated_catalog_is_deterministic_and_valid():
    first = matching.generate_groups(300, seed=7)
    assert first == matching.generate_groups(300, seed=7)
    assert first != matching.generate_groups(300, seed=8)
    for record in first:
        validate(record)
    assert len({record.slug for record in first}) == 300
    assert {c for record in first for c in record.concerns} == set(CONCERNS)
    assert {record.format for record in first} == set(FORMATS)
    assert {record.leader for record in first} == set(LEADERS)
    assert all(1 <= len(record.meetings) <= 3 for record in first)
    assert any(record.audience for record in first) and any(not record.observers_welcome for record in first)
    assert {"en", "es", "fr"} <= {language for record in first for language in record.languages}


def test_generated_requests_are_deterministic():
    requests = matching.generate_requests(100, seed=7)
    assert requests == matching.generate_requests(100, seed=7)
    assert all(request.limit == 3 for request in requests)
    assert any(request.location for request in requests)


def test_small_end_to_end_run(tmp_path):
    figures = matching.run(groups=200, requests=50, directory=tmp_path)
    assert (figures.groups, figures.catalog_groups, figures.requests) == (200, 200, 50)
    assert 0 <= figures.empty_results <= 50
    assert (tmp_path / "bench.db").exists()
    assert 0 < figures.p50_ms <= figures.p95_ms <= figures.p99_ms <= figures.max_ms
    assert figures.insert_s > 0 and figures.catalog_load_s > 0
    text = matching.report(figures)
    assert "200 groups" in text and "target p95 <= 20 ms:" in text


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))
    assert [matching.percentile(values, p) for p in (50, 95, 99, 100)] == [50, 95, 99, 100]
    assert matching.percentile([3.0], 95) == 3.0
