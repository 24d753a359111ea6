"""Page numbers from query strings, and how many pages a list has."""
from __future__ import annotations

import math
import re
from typing import Optional, Tuple

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
