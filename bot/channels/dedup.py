"""Platform message ids taken for processing, shared by every Rasa process through the database."""
from __future__ import annotations

import asyncio
import datetime as dt

import sqlalchemy as sa

from bot.database import Database
from bot.models import ProcessedWebhook

# Platforms retry for hours at most (Messenger the longest, about a day and a half).
KEEP_FOR = dt.timedelta(days=7)


class ProcessedWebhooks:
    """Claims a platform's message id once; the database's unique key settles races between processes."""

    def __init__(self, database: Database) -> None:
        self._sessions = database.sessions

    async def claim(self, platform: str, message_id: str) -> bool:
        """True for the first delivery of this id, False for a retry or a replay."""
        return await asyncio.to_thread(self._claim, platform, message_id)

    async def release(self, platform: str, message_id: str) -> None:
        """Forget a claim whose processing failed, so the platform's retry is processed."""
        await asyncio.to_thread(self._release, platform, message_id)

    def _claim(self, platform: str, message_id: str) -> bool:
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        try:
            with self._sessions() as session, session.begin():
                session.execute(sa.delete(ProcessedWebhook).where(ProcessedWebhook.received_at < now - KEEP_FOR))
                session.add(ProcessedWebhook(platform=platform, message_id=message_id, received_at=now))
        except sa.exc.IntegrityError:
            return False
        return True

    def _release(self, platform: str, message_id: str) -> None:
        with self._sessions() as session, session.begin():
            session.execute(sa.delete(ProcessedWebhook).where(
                ProcessedWebhook.platform == platform, ProcessedWebhook.message_id == message_id,
            ))
