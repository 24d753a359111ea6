"""The time as the database stores it: naive UTC."""
from __future__ import annotations

import datetime as dt


def utcnow() -> dt.datetime:
    """Now, in UTC without a time zone (like every DateTime column of the project)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
