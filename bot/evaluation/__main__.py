"""CLI: python -m bot.evaluation --out reports [--only nlu|safety|redaction]."""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import traceback
import warnings
from pathlib import Path
from typing import Callable, Dict, List, Optional

from bot.evaluation import nlu, redaction, safety
from bot.evaluation.common import SUMMARY_FILE, Headline, print_headline, read_headline, status

REPORTS: Dict[str, Callable[[Path], Headline]] = {"nlu": nlu.run, "safety": safety.run, "redaction": redaction.run}
TITLES = {"nlu": "NLU cross-validation", "safety": "Safety", "redaction": "Redaction"}
QUIET_ENV = {
    "RASA_TELEMETRY_ENABLED": "false",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    "PYTHONWARNINGS": "ignore",
    "TF_CPP_MIN_LOG_LEVEL": "2",
}


def render_index(out: Path, date: str) -> str:
    """reports/README.md: a link and the headline figures for every report run so far."""
    lines = ["# Evaluation reports", "", f"Generated {date} by `python -m bot.evaluation` (`make eval`).", ""]
    for name, title in TITLES.items():
        headline = read_headline(out / name)
        lines.append(f"## [{title}]({name}/{SUMMARY_FILE})")
        lines.append("")
        if headline is None:
            lines += ["Not run yet.", ""]
            continue
        lines.append(f"Targets **{status(headline.met)}** (run on {headline.date}).")
        lines.append("")
        lines += [f"- {figure}" for figure in headline.figures] + [""]
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    """Run the chosen reports; 0 unless a report could not be produced (missed targets are reported)."""
    parser = argparse.ArgumentParser(prog="python -m bot.evaluation", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("reports"), help="directory for the reports")
    parser.add_argument("--only", choices=list(REPORTS), help="run just this report")
    args = parser.parse_args(argv)
    for key, value in QUIET_ENV.items():
        os.environ.setdefault(key, value)
    warnings.simplefilter("ignore")
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    failed = []
    for name in [args.only] if args.only else list(REPORTS):
        print(f"-- running {TITLES[name]} ...", flush=True)
        try:
            print_headline(REPORTS[name](out))
        except Exception:  # one broken report should not hide the others
            traceback.print_exc()
            print(f"== {TITLES[name]}: FAILED (no report written)")
            failed.append(name)
        sys.stdout.flush()
    (out / "README.md").write_text(render_index(out, dt.date.today().isoformat()), encoding="utf-8")
    print(f"reports written under {out}/ (index: {out / 'README.md'})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
