"""A platform message id is processed once, even when several Rasa processes receive its retries."""
import asyncio
import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from bot.channels.dedup import KEEP_FOR, ProcessedWebhooks
from bot.database import Database
from bot.models import ProcessedWebhook


async def test_the_first_delivery_is_claimed_and_a_retry_is_not(database):
    processed = ProcessedWebhooks(database)
    assert await processed.claim("telegram", "734912001")
    assert not await processed.claim("telegram", "734912001")


async def test_the_same_id_on_another_platform_is_another_message(database):
    processed = ProcessedWebhooks(database)
    assert await processed.claim("telegram", "42")
    assert await processed.claim("facebook", "42")


async def test_a_released_claim_lets_the_retry_be_processed(database):
    processed = ProcessedWebhooks(database)
    await processed.claim("twilio", "SM1")
    await processed.release("twilio", "SM1")
    assert await processed.claim("twilio", "SM1")


def test_simultaneous_deliveries_to_separate_processes_are_claimed_once(database_url, database):
    # Each Database has its own engine and connection pool, as each Rasa process would.
    processes = [ProcessedWebhooks(Database(database_url)) for _ in range(4)]

    def deliver(processed: ProcessedWebhooks) -> bool:
        return asyncio.run(processed.claim("slack", "Ev0123456789"))

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(deliver, processes * 2))
    assert outcomes.count(True) == 1


async def test_claims_older_than_the_retry_horizon_are_forgotten(database):
    long_ago = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - KEEP_FOR - dt.timedelta(hours=1)
    with database.sessions() as session, session.begin():
        session.add(ProcessedWebhook(platform="facebook", message_id="m_old", received_at=long_ago))
    await ProcessedWebhooks(database).claim("facebook", "m_new")
    with database.sessions() as session:
        kept = session.scalars(sa.select(ProcessedWebhook.message_id)).all()
    assert kept == ["m_new"]
