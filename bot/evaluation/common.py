"""Shared helpers for the evaluation reports: markdown tables, figures and headlines."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable, List, Optional, Sequence

ROOT = Path(__file__).resolve().parents[2]
RESULTS_FILE = "results.json"
SUMMARY_FILE = "summary.md"


@dataclass
class Headline:
    """The few figures of one report that go to stdout and to reports/README.md."""

    name: str
    title: str
    met: bool
    figures: List[str] = field(default_factory=list)
    date: str = field(default_factory=lambda: dt.date.today().isoformat())


def cell(value: Any) -> str:
    """One markdown table cell: floats to 3 decimals, None as n/a, pipes and newlines escaped."""
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\r", " ").replace("\n", " ")


def markdown_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A GitHub-flavoured markdown table (ends with a newline)."""
    lines = ["| " + " | ".join(cell(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def pct(value: Optional[float]) -> str:
    """A ratio as a percentage with one decimal, or n/a."""
    return "n/a" if value is None else f"{100 * value:.1f}%"


def status(met: bool) -> str:
    """The word used for a target in reports and on stdout."""
    return "met" if met else "MISSED"


def write_report(out_dir: Path, summary: str, results: dict, headline: Headline) -> None:
    """Write summary.md and results.json (with the headline) into `out_dir`."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / SUMMARY_FILE).write_text(summary, encoding="utf-8")
    payload = {"headline": asdict(headline), **results}
    (out_dir / RESULTS_FILE).write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


def read_headline(out_dir: Path) -> Optional[Headline]:
    """The headline stored by an earlier run of a report, if any."""
    try:
        data = json.loads((out_dir / RESULTS_FILE).read_text(encoding="utf-8"))
        return Headline(**data["headline"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def print_headline(headline: Headline) -> None:
    """The short stdout summary of one report (figures only, never message text)."""
    print(f"== {headline.title}: targets {status(headline.met)}")
    for figure in headline.figures:
        print(f"   {figure}")
