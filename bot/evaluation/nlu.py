"""NLU report: 5-fold cross-validation with `rasa test nlu`, summarised from Rasa's JSON reports."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

from bot.evaluation.common import ROOT, Headline, markdown_table, status, write_report

FOLDS = 5
EXTRACTOR = "RuleEntityExtractor"
TARGET_INTENT_F1 = 0.95
TARGET_ENTITY_F1 = 0.90
AVERAGES = ("accuracy", "micro avg", "macro avg", "weighted avg")
CONFUSION_MATRIX = "intent_confusion_matrix.png"
RASA_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "PYTHONWARNINGS": "ignore",
    "TF_CPP_MIN_LOG_LEVEL": "2",
}


def cross_validate(out_dir: Path, folds: int = FOLDS) -> float:
    """Run Rasa's NLU cross-validation into `out_dir` (log in rasa_test_nlu.log); returns seconds taken."""
    out_dir.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable, "-m", "rasa", "test", "nlu", "--nlu", "data/nlu", "--config", "config.yml",
        "--cross-validation", "--folds", str(folds), "--out", str(out_dir.resolve()),
    ]
    env = {**os.environ, "PYTHONHASHSEED": os.environ.get("PYTHONHASHSEED", "0"), **RASA_ENV}
    log_path = out_dir / "rasa_test_nlu.log"
    started = time.monotonic()
    with log_path.open("w", encoding="utf-8") as log:
        done = subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, check=False)
    seconds = time.monotonic() - started
    if done.returncode != 0:
        raise RuntimeError(f"rasa test nlu failed with exit code {done.returncode}; see {log_path}")
    return seconds


def split_report(report: Mapping[str, Any]) -> Tuple[Dict[str, Dict[str, float]], Dict[str, Any]]:
    """A Rasa/sklearn classification report split into per-label rows and the averages."""
    labels = {k: v for k, v in report.items() if k not in AVERAGES and isinstance(v, dict)}
    averages = {k: report[k] for k in AVERAGES if k in report}
    return labels, averages


def entity_f1(averages: Mapping[str, Any]) -> Tuple[Optional[float], str]:
    """The headline entity F1: the micro average, else the weighted one; with the name used."""
    for name in ("micro avg", "weighted avg"):
        if isinstance(averages.get(name), dict):
            return float(averages[name]["f1-score"]), name
    return None, "none"


def _label_rows(labels: Mapping[str, Mapping[str, Any]]) -> List[List[Any]]:
    """Table rows (label, precision, recall, F1, support), worst F1 first."""
    ordered = sorted(labels.items(), key=lambda item: (item[1]["f1-score"], item[0]))
    return [[name, s["precision"], s["recall"], s["f1-score"], int(s["support"])] for name, s in ordered]


def _average_rows(averages: Mapping[str, Any]) -> List[List[Any]]:
    """Table rows for the averages (accuracy is a bare number in sklearn's report)."""
    rows = []
    for name, s in averages.items():
        if isinstance(s, dict):
            rows.append([name, s["precision"], s["recall"], s["f1-score"], int(s["support"])])
        else:
            rows.append([name, "", "", s, ""])
    return rows


def summarise(out_dir: Path, seconds: float, folds: int = FOLDS) -> Tuple[str, Dict[str, Any], Headline]:
    """summary.md, results and headline from the JSON reports Rasa wrote into `out_dir`."""
    intents, intent_avg = split_report(json.loads((out_dir / "intent_report.json").read_text(encoding="utf-8")))
    entity_path = out_dir / f"{EXTRACTOR}_report.json"
    entity_report = json.loads(entity_path.read_text(encoding="utf-8")) if entity_path.exists() else {}
    entities, entity_avg = split_report(entity_report)
    macro_f1 = float(intent_avg["macro avg"]["f1-score"])
    ent_f1, ent_avg_name = entity_f1(entity_avg)
    ent_macro = entity_avg.get("macro avg", {}).get("f1-score")
    met = {"intent": macro_f1 >= TARGET_INTENT_F1, "entity": ent_f1 is not None and ent_f1 >= TARGET_ENTITY_F1}
    minutes = f"{seconds:.0f} s ({seconds / 60:.1f} min)"
    headline = Headline("nlu", f"NLU cross-validation ({folds} folds)", all(met.values()), [
        f"intent macro-F1 {macro_f1:.3f} (target >= {TARGET_INTENT_F1}: {status(met['intent'])})",
        f"entity F1 ({ent_avg_name}, {EXTRACTOR}) {'n/a' if ent_f1 is None else f'{ent_f1:.3f}'} "
        f"(target >= {TARGET_ENTITY_F1}: {status(met['entity'])})",
        f"cross-validation took {minutes}",
    ])
    image = out_dir / CONFUSION_MATRIX
    summary = "\n".join([
        "# NLU cross-validation\n",
        f"Generated {headline.date}: `rasa test nlu --nlu data/nlu --config config.yml --cross-validation "
        f"--folds {folds}` (scores on the held-out folds). Cross-validation took {minutes}.\n",
        markdown_table(["figure", "value", "target", "status"], [
            ["intent macro-F1 (macro avg f1-score)", macro_f1, f">= {TARGET_INTENT_F1}", status(met["intent"])],
            [f"entity F1 ({ent_avg_name}, {EXTRACTOR})", ent_f1, f">= {TARGET_ENTITY_F1}", status(met["entity"])],
            [f"entity macro-F1 ({EXTRACTOR})", ent_macro, "", ""],
        ]),
        f"Entity F1 is the {ent_avg_name} of the `{EXTRACTOR}` report (the intent classifier extracts none).\n",
        "## Intents\n",
        markdown_table(["intent", "precision", "recall", "F1", "support"], _label_rows(intents)),
        markdown_table(["average", "precision", "recall", "F1", "support"], _average_rows(intent_avg)),
        f"![intent confusion matrix]({CONFUSION_MATRIX})\n" if image.exists() else f"**{CONFUSION_MATRIX} is missing.**\n",
        f"## Entities ({EXTRACTOR})\n",
        markdown_table(["entity", "precision", "recall", "F1", "support"], _label_rows(entities))
        + "\n" + markdown_table(["average", "precision", "recall", "F1", "support"], _average_rows(entity_avg))
        if entity_report else f"**{entity_path.name} is missing.**\n",
        "Rasa's own files: `intent_report.json`, `intent_errors.json`, "
        f"`{EXTRACTOR}_report.json`, `{EXTRACTOR}_errors.json`, `rasa_test_nlu.log`.\n",
    ])
    results = {
        "folds": folds,
        "seconds": round(seconds, 1),
        "intent_macro_f1": macro_f1,
        "entity_f1": ent_f1,
        "entity_f1_average": ent_avg_name,
        "entity_macro_f1": ent_macro,
        "confusion_matrix": image.exists(),
    }
    return summary, results, headline


def run(out: Path) -> Headline:
    """Cross-validate the NLU pipeline and write <out>/nlu/."""
    out_dir = out / "nlu"
    seconds = cross_validate(out_dir)
    summary, results, headline = summarise(out_dir, seconds)
    if not results["confusion_matrix"]:
        headline.figures.append(f"{CONFUSION_MATRIX} was not written")
    write_report(out_dir, summary, results, headline)
    return headline
