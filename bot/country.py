"""The person's country, from what their channel tells us."""
from __future__ import annotations

import re
from typing import Any, Mapping, Optional

_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
_LOCALE = re.compile(r"^[A-Za-z]{2,3}[-_]([A-Za-z]{2})\b")


def country_from_metadata(metadata: Optional[Mapping[str, Any]]) -> Optional[str]:
    """ISO 3166 alpha-2 code from `country` ("GB") or `locale` ("en-GB"), else None."""
    if not isinstance(metadata, Mapping):
        return None
    country = metadata.get("country")
    if isinstance(country, str) and _COUNTRY.match(country.strip()):
        return country.strip().upper()
    locale = metadata.get("locale")
    if isinstance(locale, str):
        found = _LOCALE.match(locale.strip())
        if found:
            return found.group(1).upper()
    return None
