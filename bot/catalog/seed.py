"""Loads the fictional seed catalog into an empty database."""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import sessionmaker

from bot.catalog.csv_format import read_csv
from bot.catalog.store import ImportCounts, upsert_groups
from bot.models import Group

SEED_CSV = Path(__file__).resolve().parent.parent / "resources" / "seed_groups.csv"


def seed_if_empty(sessions: sessionmaker, path: Path = SEED_CSV) -> ImportCounts:
    """Import the seed catalog unless the database already holds groups."""
    with sessions() as session, session.begin():
        if session.scalar(sa.select(sa.func.count(Group.id))):
            return ImportCounts()
        return upsert_groups(session, read_csv(path.read_text(encoding="utf-8")))
