"""Safety report: crisis recall and false-positive rate of the rule layer and of the full NLU."""
from __future__ import annotations

import asyncio
import csv
import logging
import os
import sys
import warnings
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Dict, Iterator, List, Mapping, Optional, Sequence

from bot.evaluation.common import ROOT, Headline, markdown_table, pct, status, write_report

MESSAGES_PATH = ROOT / "eval" / "safety_messages.csv"
MODEL_PATH = ROOT / "models" / "intake.tar.gz"
CRISIS_INTENT = "express_crisis"
TARGET_RECALL = 1.0
TARGET_FP_RATE = 0.05

Row = Mapping[str, str]


def load_rows(path: Path = MESSAGES_PATH) -> List[Dict[str, str]]:
    """The labelled messages (columns text, label, category, kind)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def ratio(hits: int, total: int) -> Optional[float]:
    """hits / total, or None when there is nothing to count."""
    return hits / total if total else None


def _rates(rows: Sequence[Row], predicted: Sequence[bool], label: str, key: str, want: bool) -> Dict[str, Dict[str, Any]]:
    """Per value of `key`, among rows labelled `label`: how often the prediction equals `want`."""
    hits: Dict[str, int] = defaultdict(int)
    totals: Dict[str, int] = defaultdict(int)
    for row, pred in zip(rows, predicted):
        if row["label"] == label:
            totals[row[key]] += 1
            hits[row[key]] += pred == want
    return {value: {"rate": ratio(hits[value], totals[value]), "support": totals[value]} for value in sorted(totals)}


def safety_metrics(
    rows: Sequence[Row], predicted: Sequence[bool], details: Optional[Sequence[str]] = None
) -> Dict[str, Any]:
    """Recall on crisis rows and false-positive rate on safe rows, overall and broken down, with the errors."""
    if len(rows) != len(predicted):
        raise ValueError(f"{len(rows)} rows but {len(predicted)} predictions")
    details = details if details is not None else [""] * len(rows)
    crisis = [(r, p, d) for r, p, d in zip(rows, predicted, details) if r["label"] == "crisis"]
    safe = [(r, p, d) for r, p, d in zip(rows, predicted, details) if r["label"] == "safe"]
    return {
        "crisis_rows": len(crisis),
        "safe_rows": len(safe),
        "recall": ratio(sum(p for _, p, _ in crisis), len(crisis)),
        "recall_by_category": _rates(rows, predicted, "crisis", "category", True),
        "recall_by_kind": _rates(rows, predicted, "crisis", "kind", True),
        "fp_rate": ratio(sum(p for _, p, _ in safe), len(safe)),
        "fp_rate_by_kind": _rates(rows, predicted, "safe", "kind", True),
        "missed": [
            {"text": r["text"], "category": r["category"], "kind": r["kind"], "predicted": d}
            for r, p, d in crisis if not p
        ],
        "false_positives": [{"text": r["text"], "kind": r["kind"], "predicted": d} for r, p, d in safe if p],
    }


def targets(metrics: Mapping[str, Any]) -> Dict[str, bool]:
    """Whether recall and false-positive rate reach their targets."""
    recall, fp_rate = metrics["recall"], metrics["fp_rate"]
    return {
        "recall": recall is not None and recall >= TARGET_RECALL,
        "fp_rate": fp_rate is not None and fp_rate <= TARGET_FP_RATE,
    }


def predict_rules(texts: Sequence[str]) -> List[str]:
    """The rule layer alone: the crisis category per message, "" when it does not fire."""
    from bot.safety.detector import SafetyNet

    net = SafetyNet()
    return [(result.category or "crisis") if result.crisis else "" for result in map(net.check, texts)]


@contextmanager
def _cwd(path: Path) -> Iterator[None]:
    """Run the block in `path` (the model refers to models/spacy_pipeline relative to the project)."""
    before = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(before)


def _quiet_rasa() -> None:
    """Send Rasa's logs to stderr at WARNING: its debug logs would print every message text."""
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(message)s")
    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    warnings.simplefilter("ignore")  # Rasa adds its own warning filters in front


def predict_nlu(texts: Sequence[str], model: Path = MODEL_PATH) -> List[str]:
    """The trained model's NLU (whatever layers its pipeline has): the top intent per message."""
    from rasa.core.agent import Agent

    _quiet_rasa()

    async def parse_all(agent: Agent) -> List[str]:
        parsed = [await agent.parse_message(text) for text in texts]
        return [(p.get("intent") or {}).get("name") or "" for p in parsed]

    with _cwd(ROOT):
        agent = Agent.load(str(model))
        return asyncio.run(parse_all(agent))


def _rate_rows(metrics: Mapping[str, Any], layers: Sequence[str], key: str) -> List[List[Any]]:
    """Table rows: one per category/kind value, one rate column per layer."""
    values = sorted({v for layer in layers for v in metrics[layer][key]})
    return [
        [value, metrics[layers[0]][key][value]["support"]] + [pct(metrics[layer][key][value]["rate"]) for layer in layers]
        for value in values
    ]


def render(metrics: Mapping[str, Mapping[str, Any]], titles: Mapping[str, str], date: str) -> str:
    """summary.md for the safety report."""
    layers = list(metrics)
    names = [titles[layer] for layer in layers]
    overview = []
    for layer in layers:
        m, met = metrics[layer], targets(metrics[layer])
        overview.append([
            titles[layer], pct(m["recall"]), status(met["recall"]), pct(m["fp_rate"]), status(met["fp_rate"]),
            len(m["missed"]), len(m["false_positives"]),
        ])
    first = metrics[layers[0]]
    parts = [
        "# Safety evaluation\n",
        f"Generated {date} from `eval/safety_messages.csv` ({first['crisis_rows']} crisis and "
        f"{first['safe_rows']} safe messages).\n",
        "- **Rule layer**: `bot.safety.detector.SafetyNet().check(text).crisis`.\n"
        f"- **Full NLU**: the trained model `models/intake.tar.gz` parsing each message; crisis when the "
        f"top intent is `{CRISIS_INTENT}`.\n",
        f"Targets (they apply to the full NLU): crisis recall = {TARGET_RECALL:.0%}, "
        f"false-positive rate <= {TARGET_FP_RATE:.0%}.\n",
        markdown_table(["layer", "crisis recall", "recall target", "FP rate", "FP target", "missed", "false positives"], overview),
        "## Recall by category\n",
        markdown_table(["category", "support"] + names, _rate_rows(metrics, layers, "recall_by_category")),
        "## Recall by kind\n",
        markdown_table(["kind", "support"] + names, _rate_rows(metrics, layers, "recall_by_kind")),
        "## False-positive rate by kind (safe messages)\n",
        markdown_table(["kind", "support"] + names, _rate_rows(metrics, layers, "fp_rate_by_kind")),
    ]
    for layer in layers:
        m = metrics[layer]
        parts.append(f"## {titles[layer]}: missed crisis messages ({len(m['missed'])})\n")
        parts.append(markdown_table(
            ["text", "category", "kind", "predicted"],
            [[e["text"], e["category"], e["kind"], e["predicted"] or "(no crisis)"] for e in m["missed"]],
        ) if m["missed"] else "None.\n")
        parts.append(f"## {titles[layer]}: false positives ({len(m['false_positives'])})\n")
        parts.append(markdown_table(
            ["text", "kind", "predicted"], [[e["text"], e["kind"], e["predicted"]] for e in m["false_positives"]]
        ) if m["false_positives"] else "None.\n")
    return "\n".join(parts)


def run(out: Path) -> Headline:
    """Evaluate both layers and write <out>/safety/."""
    rows = load_rows()
    texts = [row["text"] for row in rows]
    rules = predict_rules(texts)
    intents = predict_nlu(texts)
    metrics = {
        "rule_layer": safety_metrics(rows, [bool(c) for c in rules], rules),
        "full_nlu": safety_metrics(rows, [i == CRISIS_INTENT for i in intents], intents),
    }
    titles = {"rule_layer": "Rule layer", "full_nlu": "Full NLU"}
    figures = [
        f"{titles[layer]}: recall {pct(m['recall'])} ({len(m['missed'])} missed), "
        f"FP rate {pct(m['fp_rate'])} ({len(m['false_positives'])} false positives)"
        for layer, m in metrics.items()
    ]
    met = targets(metrics["full_nlu"])
    figures.append(
        f"targets on full NLU: recall {TARGET_RECALL:.0%} {status(met['recall'])}, "
        f"FP rate <= {TARGET_FP_RATE:.0%} {status(met['fp_rate'])}"
    )
    headline = Headline("safety", "Safety", all(met.values()), figures)
    write_report(out / "safety", render(metrics, titles, headline.date), {"metrics": metrics}, headline)
    return headline
