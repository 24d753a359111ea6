"""The `intake` command line, run as a real process against a real SQLite file."""
import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys

import pytest

from bot.catalog.seed import SEED_CSV


def intake(database_url, *args):
    env = {**os.environ, "INTAKE_DATABASE_URL": database_url, "PYTHONWARNINGS": "ignore"}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], env=env, capture_output=True, text=True)


@pytest.fixture
def catalog_url(database_url):
    assert intake(database_url, "catalog", "import", "--format", "csv", str(SEED_CSV)).returncode == 0
    return database_url


def test_import_reports_counts_and_a_second_import_changes_nothing(database_url):
    first = intake(database_url, "catalog", "import", "--format", "csv", str(SEED_CSV))
    second = intake(database_url, "catalog", "import", "--format", "csv", str(SEED_CSV))
    assert "created" in first.stdout and " 0 created, 0 updated" in second.stdout


def test_a_bad_file_imports_nothing_and_says_where(database_url, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(SEED_CSV.read_text().replace(",peer,", ",pear,", 1))
    result = intake(database_url, "catalog", "import", "--format", "csv", str(bad))
    assert result.returncode == 2 and "nothing imported: line" in result.stderr and "pear" in result.stderr
    listed = intake(database_url, "catalog", "list", "--json")
    assert json.loads(listed.stdout) == []


def test_recommend_prints_ranked_json_within_the_constraints(catalog_url):
    result = intake(catalog_url, "recommend", "--concern", "alcohol", "--observe-first", "--format", "online", "--limit", "3", "--json")
    groups = json.loads(result.stdout)
    assert 1 <= len(groups) <= 3
    assert all({"id", "name", "score", "reasons"} <= set(g) for g in groups)
    assert all(g["observers_welcome"] and g["format"] in ("online", "hybrid") for g in groups)
    assert [g["score"] for g in groups] == sorted((g["score"] for g in groups), reverse=True)


@pytest.mark.parametrize("args,word", [(["--concern", "cats"], "concern"), (["--concern", "alcohol", "--day", "someday"], "day"),
                                       (["--concern", "alcohol", "--format", "fax"], "format")])
def test_unknown_values_are_clear_errors(catalog_url, args, word):
    result = intake(catalog_url, "recommend", *args, "--json")
    assert result.returncode == 2 and f"unknown {word}" in result.stderr


def test_safety_check_prints_the_contract_json(database_url):
    crisis = json.loads(intake(database_url, "safety", "check", "I want to end my life", "--json").stdout)
    safe = json.loads(intake(database_url, "safety", "check", "this commute is killing me", "--json").stdout)
    assert crisis == {"crisis": True, "category": "suicidal"}
    assert safe == {"crisis": False, "category": None}


def test_purge_removes_only_conversations_older_than_the_retention(catalog_url):
    path = catalog_url.removeprefix("sqlite:///")
    now = dt.datetime.now(dt.timezone.utc).timestamp()
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, timestamp REAL, intent_name TEXT, action_name TEXT, data TEXT)")
        connection.executemany("INSERT INTO events (sender_id, type_name, timestamp) VALUES (?, 'user', ?)",
                               [("old", now - 40 * 86400), ("old", now - 35 * 86400), ("recent", now - 40 * 86400), ("recent", now - 60)])
    result = intake(catalog_url, "purge", "--older-than", "30")
    assert "Purged 2 conversation events" in result.stdout
    with sqlite3.connect(path) as connection:
        assert {row[0] for row in connection.execute("SELECT sender_id FROM events")} == {"recent"}
    assert intake(catalog_url, "purge", "--older-than", "0").returncode == 2
