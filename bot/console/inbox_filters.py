"""The inbox's filters: read from the query string, validated, explained when wrong."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from typing import Dict, List, Mapping, Optional, Tuple
from urllib.parse import urlencode

from bot.console.paging import parse_page
from bot.models import CONCERNS, REVIEW_STATUSES

MAX_SEARCH_LENGTH = 100
_CHANNEL = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
CRISIS_CHOICES = {"yes": True, "no": False}


@dataclass(frozen=True)
class InboxFilters:
    """Which intakes to list; None means 'any'."""

    status: Optional[str] = None
    concern: Optional[str] = None
    channel: Optional[str] = None
    crisis: Optional[bool] = None
    date_from: Optional[dt.date] = None
    date_to: Optional[dt.date] = None
    search: str = ""
    page: int = 1

    def query(self, **changes) -> Dict[str, str]:
        """These filters (with `changes`) as query parameters, leaving out the unset ones."""
        chosen = replace(self, **changes)
        params = {
            "status": chosen.status or "",
            "concern": chosen.concern or "",
            "channel": chosen.channel or "",
            "crisis": {True: "yes", False: "no", None: ""}[chosen.crisis],
            "from": chosen.date_from.isoformat() if chosen.date_from else "",
            "to": chosen.date_to.isoformat() if chosen.date_to else "",
            "q": chosen.search,
            "page": str(chosen.page) if chosen.page != 1 else "",
        }
        return {key: value for key, value in params.items() if value}

    def query_string(self, **changes) -> str:
        """`query()` url-encoded, for links."""
        return urlencode(self.query(**changes))

    def described(self) -> str:
        """The filters for the audit log: the search words themselves are left out (they can be names)."""
        params = self.query(page=1, search="")
        if self.search:
            params["q"] = "(search)"
        return " ".join(f"{key}={value}" for key, value in sorted(params.items())) or "all"


def _choice(raw: str, allowed: Tuple[str, ...], label: str, problems: List[str]) -> Optional[str]:
    if not raw:
        return None
    if raw not in allowed:
        problems.append(f"“{raw[:40]}” is not a {label}; choose one from the list. Showing every {label}.")
        return None
    return raw


def _date(raw: str, label: str, problems: List[str]) -> Optional[dt.date]:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        problems.append(f"The {label} date “{raw[:40]}” is not a date like 2024-05-31; it was ignored.")
        return None


def parse_filters(query: Mapping[str, str]) -> Tuple[InboxFilters, List[str]]:
    """The filters in `query`, and a plain sentence for each value that had to be ignored."""
    problems: List[str] = []
    status = _choice(query.get("status", "").strip(), REVIEW_STATUSES, "status", problems)
    concern = _choice(query.get("concern", "").strip(), CONCERNS, "concern", problems)
    channel = query.get("channel", "").strip() or None
    if channel is not None and not _CHANNEL.match(channel):
        problems.append("A channel name has only letters, digits, dots, dashes and underscores; showing every channel.")
        channel = None
    crisis_raw = query.get("crisis", "").strip()
    crisis = CRISIS_CHOICES.get(crisis_raw)
    if crisis_raw and crisis is None:
        problems.append("The crisis filter is yes, no or empty; showing all intakes.")
    date_from = _date(query.get("from", "").strip(), "from", problems)
    date_to = _date(query.get("to", "").strip(), "to", problems)
    if date_from and date_to and date_from > date_to:
        problems.append("The from date is after the to date, so the dates were swapped.")
        date_from, date_to = date_to, date_from
    search = _CONTROL.sub("", query.get("q", "")).strip()
    if len(search) > MAX_SEARCH_LENGTH:
        problems.append(f"The search was shortened to its first {MAX_SEARCH_LENGTH} characters.")
        search = search[:MAX_SEARCH_LENGTH]
    page, page_problem = parse_page(query.get("page", ""))
    problems += [page_problem] if page_problem else []
    return InboxFilters(status, concern, channel, crisis, date_from, date_to, search, page), problems
