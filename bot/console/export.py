"""The CSV export of filtered intakes: redacted, and safe to open in a spreadsheet."""
from __future__ import annotations

import csv
import io
from typing import Callable, Iterable, List, Sequence

from bot.models import IntakeRecord

HEADER = (
    "intake", "created_at_utc", "channel", "concerns", "status", "crisis_flag", "assignee",
    "contact_method", "contact_details_on_file", "preferences", "recommended_groups",
)
# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: str) -> str:
    """`value`, prefixed with an apostrophe when a spreadsheet would read it as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _preferences(preferences: dict, redact: Callable[[str], str]) -> str:
    """key=value pairs; free text (the location) goes through the redactor."""
    parts = []
    for key in sorted(preferences):
        value = preferences[key]
        text = ",".join(str(item) for item in value) if isinstance(value, list) else str(value)
        parts.append(f"{key}={redact(text)}")
    return "; ".join(parts)


def export_row(record: IntakeRecord, redact: Callable[[str], str]) -> List[str]:
    """One intake as CSV cells: no sender id, no message text, no contact details."""
    cells = [
        str(record.id),
        record.created_at.strftime("%Y-%m-%d %H:%M:%S"),
        record.channel,
        ";".join(record.concerns or ()),
        record.review_status,
        "yes" if record.crisis_flag else "no",
        record.assignee or "",
        record.contact_method or "",
        "yes" if (record.contact_email or record.contact_phone) else "no",
        _preferences(record.preferences or {}, redact),
        "; ".join(str(item.get("name", "")) for item in record.recommendations or ()),
    ]
    return [csv_safe(cell) for cell in cells]


def to_csv(rows: Iterable[Sequence[str]]) -> str:
    """The header and `rows` as CSV text."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue()
