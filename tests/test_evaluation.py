"""Tests for bot.evaluation: the pure report functions and the redaction report end to end."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.evaluation.__main__ import render_index
from bot.evaluation.common import Headline, markdown_table, write_report
from bot.evaluation.nlu import entity_f1, split_report
from bot.evaluation.safety import safety_metrics, targets

ROOT = Path(__file__).resolve().parents[1]

ROWS = [
    {"text": "crisis one", "label": "crisis", "category": "suicidal", "kind": "direct"},
    {"text": "crisis two", "label": "crisis", "category": "self_harm", "kind": "slang"},
    {"text": "safe one", "label": "safe", "category": "", "kind": "idiom"},
    {"text": "safe two", "label": "safe", "category": "", "kind": "ordinary"},
]


def test_safety_metrics_count_recall_on_crisis_rows_and_false_positives_on_safe_rows() -> None:
    m = safety_metrics(ROWS, [True, False, True, False], ["express_crisis", "greet", "express_crisis", "greet"])
    assert (m["crisis_rows"], m["safe_rows"]) == (2, 2)
    assert m["recall"] == pytest.approx(0.5)
    assert m["fp_rate"] == pytest.approx(0.5)
    assert m["recall_by_category"] == {
        "self_harm": {"rate": 0.0, "support": 1},
        "suicidal": {"rate": 1.0, "support": 1},
    }
    assert m["recall_by_kind"]["slang"]["rate"] == 0.0
    assert m["fp_rate_by_kind"] == {"idiom": {"rate": 1.0, "support": 1}, "ordinary": {"rate": 0.0, "support": 1}}
    assert m["missed"] == [{"text": "crisis two", "category": "self_harm", "kind": "slang", "predicted": "greet"}]
    assert m["false_positives"] == [{"text": "safe one", "kind": "idiom", "predicted": "express_crisis"}]
    assert targets(m) == {"recall": False, "fp_rate": False}


def test_perfect_predictions_meet_the_safety_targets() -> None:
    m = safety_metrics(ROWS, [True, True, False, False])
    assert (m["recall"], m["fp_rate"], m["missed"], m["false_positives"]) == (1.0, 0.0, [], [])
    assert targets(m) == {"recall": True, "fp_rate": True}


def test_safety_metrics_refuse_a_prediction_count_that_does_not_match_the_rows() -> None:
    with pytest.raises(ValueError):
        safety_metrics(ROWS, [True])


def test_markdown_table_formats_floats_and_escapes_pipes_and_newlines() -> None:
    table = markdown_table(["kind", "recall"], [["email", 0.98765], ["a|b\nc", None]])
    assert table.splitlines() == [
        "| kind | recall |",
        "|---|---|",
        "| email | 0.988 |",
        "| a\\|b c | n/a |",
    ]


def test_entity_f1_prefers_the_micro_average_and_falls_back_to_the_weighted_one() -> None:
    report = {
        "concern": {"precision": 1.0, "recall": 0.8, "f1-score": 0.889, "support": 5},
        "micro avg": {"precision": 1.0, "recall": 0.9, "f1-score": 0.947, "support": 10},
        "macro avg": {"precision": 1.0, "recall": 0.85, "f1-score": 0.91, "support": 10},
        "weighted avg": {"precision": 1.0, "recall": 0.9, "f1-score": 0.93, "support": 10},
    }
    labels, averages = split_report(report)
    assert list(labels) == ["concern"]
    assert entity_f1(averages) == (0.947, "micro avg")
    del averages["micro avg"]
    assert entity_f1(averages) == (0.93, "weighted avg")


def test_index_links_every_report_and_shows_stored_headlines(tmp_path: Path) -> None:
    write_report(tmp_path / "safety", "# s\n", {}, Headline("safety", "Safety", False, ["recall 90.0%"]))
    index = render_index(tmp_path, "2024-01-02")
    assert "(nlu/summary.md)" in index and "(redaction/summary.md)" in index
    assert "Targets **MISSED**" in index and "- recall 90.0%" in index and "2024-01-02" in index


def test_only_redaction_writes_its_summary_and_the_index(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot.evaluation", "--out", str(tmp_path), "--only", "redaction"],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    summary = (tmp_path / "redaction" / "summary.md").read_text(encoding="utf-8")
    assert "| email |" in summary and "| phone |" in summary
    results = json.loads((tmp_path / "redaction" / "results.json").read_text(encoding="utf-8"))
    assert results["scores"]["email"]["support"] > 0
    assert "(redaction/summary.md)" in (tmp_path / "README.md").read_text(encoding="utf-8")
    assert not (tmp_path / "nlu").exists()
    assert "Redaction" in done.stdout
