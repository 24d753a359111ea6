"""Redaction report: per-kind precision and recall of bot.redaction on the labelled cases."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List

from bot.evaluation.common import ROOT, Headline, markdown_table, status, write_report

CASES_PATH = ROOT / "eval" / "redaction_cases.jsonl"
TARGET_KINDS = ("email", "phone")
TARGET_RECALL = 0.99


def load_cases(path: Path = CASES_PATH) -> List[dict]:
    """The labelled cases, one JSON object per non-empty line."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def f1(precision: float, recall: float) -> float:
    """Harmonic mean of precision and recall (0.0 when both are 0)."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def target_met(scores: Dict[str, Dict[str, float]]) -> Dict[str, bool]:
    """Whether each target kind reaches the recall target."""
    return {kind: scores[kind]["recall"] >= TARGET_RECALL for kind in TARGET_KINDS}


def render(scores: Dict[str, Dict[str, float]], cases: int, date: str) -> str:
    """summary.md for the redaction report."""
    met = target_met(scores)
    rows = [
        [kind, s["precision"], s["recall"], f1(s["precision"], s["recall"]), int(s["support"]),
         status(met[kind]) if kind in met else ""]
        for kind, s in scores.items()
    ]
    targets = ", ".join(f"{k} recall {scores[k]['recall']:.3f} ({status(v)})" for k, v in met.items())
    return (
        f"# Redaction evaluation\n\nGenerated {date} from `eval/redaction_cases.jsonl` "
        f"({cases} cases) with `bot.redaction.evaluate` (a span counts only on an exact "
        f"start, end and kind match).\n\n"
        f"Target: recall >= {TARGET_RECALL} on {' and '.join(TARGET_KINDS)}: {targets}.\n\n"
        + markdown_table(["kind", "precision", "recall", "F1", "support", f"recall >= {TARGET_RECALL}"], rows)
    )


def run(out: Path) -> Headline:
    """Evaluate the redactor and write <out>/redaction/."""
    from bot.redaction import evaluate

    cases = load_cases()
    scores = evaluate(cases)
    met = target_met(scores)
    by_kind = ", ".join(f"{kind} {s['recall']:.3f}" for kind, s in scores.items() if kind != "overall")
    overall = scores["overall"]
    figures = [
        f"recall by kind: {by_kind}",
        f"overall precision {overall['precision']:.3f}, recall {overall['recall']:.3f}",
        f"target recall >= {TARGET_RECALL} on {', '.join(TARGET_KINDS)}: {status(all(met.values()))}",
    ]
    headline = Headline("redaction", "Redaction", all(met.values()), figures)
    write_report(out / "redaction", render(scores, len(cases), headline.date), {"scores": scores}, headline)
    return headline
