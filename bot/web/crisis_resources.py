"""Crisis resources by country, read from bot/safety/crisis_resources.yml, as the widget shows them."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Mapping, Optional

import yaml

from bot.settings import PROJECT_ROOT

CRISIS_RESOURCES_FILE = PROJECT_ROOT / "bot" / "safety" / "crisis_resources.yml"
_COUNTRY = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class CrisisResources:
    """The emergency number and helplines of each country, and the fallback for the rest."""

    last_checked: str
    countries: Mapping[str, Mapping[str, Any]]
    default: Mapping[str, Any]

    @classmethod
    def load(cls, path: Path = CRISIS_RESOURCES_FILE) -> "CrisisResources":
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        return cls(str(data["last_checked"]), data["countries"], data["default"])

    def for_country(self, country: Optional[str]) -> Dict[str, Any]:
        """What to show a visitor from `country` (ISO 3166 alpha-2); `country` is None when not listed."""
        code = (country or "").strip().upper()
        known = code if _COUNTRY.match(code) and code in self.countries else None
        entry = self.countries[known] if known else self.default
        return {
            "country": known,
            "emergency": str(entry["emergency"]),
            "lines": [{"name": line["name"], "how": line["how"]} for line in entry.get("lines", [])],
            "last_checked": self.last_checked,
        }
