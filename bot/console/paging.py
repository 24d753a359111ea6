"""Page numbers from query strings, how many pages a list has, and one page of a query's rows."""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Generic, List, Optional, Tuple, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session

MAX_PAGE = 100_000
_PAGE = re.compile(r"^[0-9]{1,6}$")
BAD_PAGE = "The page number was not a page of this list; showing the first page."


def parse_page(raw: str) -> Tuple[int, Optional[str]]:
    """(page, problem): a page from 1 to MAX_PAGE, or 1 and a sentence saying why."""
    text = raw.strip() or "1"
    if _PAGE.match(text) and 1 <= int(text) <= MAX_PAGE:
        return int(text), None
    return 1, BAD_PAGE


def page_count(total: int, page_size: int) -> int:
    """Pages needed for `total` items (at least one, possibly empty, page)."""
    return max(1, math.ceil(total / page_size))


Row = TypeVar("Row")


@dataclass(frozen=True)
class Page(Generic[Row]):
    """One page of a list, and the size of the whole list."""

    rows: List[Row]
    total: int  # rows in the whole list
    page: int  # this page's number, from 1
    pages: int


def fetch_page(session: Session, query: sa.sql.Select, requested: int, page_size: int,
               row: Callable[[Any], Row]) -> Page[Row]:
    """Page `requested` of what `query` selects (the last page when there are fewer), each item made a `row`."""
    total = session.scalar(sa.select(sa.func.count()).select_from(query.order_by(None).subquery()))
    pages = page_count(total, page_size)
    page = min(requested, pages)
    items = session.scalars(query.limit(page_size).offset((page - 1) * page_size))
    return Page([row(item) for item in items], total, page, pages)
