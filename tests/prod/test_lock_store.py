"""The atomic Redis lock store, against a real Redis server, with one store per simulated Rasa process."""
import asyncio
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from rasa.utils.endpoints import EndpointConfig

from bot.lock_store import AtomicRedisLockStore, LockStoreUnavailable
from tests.integration.servers import free_port

PROCESSES = 8
TICKETS_EACH = 40


@pytest.fixture
def new_store(redis_server):
    return lambda: AtomicRedisLockStore(EndpointConfig(url=redis_server.url))


def test_tickets_taken_by_many_processes_at_once_are_all_different(new_store):
    conversation = uuid.uuid4().hex
    stores = [new_store() for _ in range(PROCESSES)]
    start = threading.Barrier(PROCESSES)

    def take_tickets(store):
        start.wait()
        return [store.issue_ticket(conversation) for _ in range(TICKETS_EACH)]

    with ThreadPoolExecutor(PROCESSES) as pool:
        tickets = [ticket for batch in pool.map(take_tickets, stores) for ticket in batch]
    assert sorted(tickets) == list(range(PROCESSES * TICKETS_EACH))


async def test_a_second_process_waits_for_the_first_and_the_lock_is_then_removed(new_store):
    first, second = new_store(), new_store()
    conversation = uuid.uuid4().hex
    order = []

    async def handle(store, name, seconds):
        async with store.lock(conversation):
            order.append(f"{name} starts")
            await asyncio.sleep(seconds)
            order.append(f"{name} ends")

    earlier = asyncio.create_task(handle(first, "first", 0.5))
    await asyncio.sleep(0.1)
    await asyncio.gather(earlier, handle(second, "second", 0))
    assert order == ["first starts", "first ends", "second starts", "second ends"]
    assert first.get_lock(conversation) is None


async def test_the_lock_of_a_crashed_process_expires_with_its_ticket(new_store):
    crashed, survivor = new_store(), new_store()
    conversation = uuid.uuid4().hex
    crashed.issue_ticket(conversation, lock_lifetime=1)  # taken, never released
    assert 0 < crashed.red.pttl(crashed.key_prefix + conversation) <= 1000
    started = time.monotonic()
    async with survivor.lock(conversation):
        waited = time.monotonic() - started
    assert 0.5 < waited < 5
    assert survivor.get_lock(conversation) is None


def test_an_unreachable_redis_is_named_with_its_setting():
    port = free_port()
    with pytest.raises(LockStoreUnavailable, match=rf"Cannot reach Redis at 127\.0\.0\.1:{port} \(INTAKE_REDIS_URL\)"):
        AtomicRedisLockStore(EndpointConfig(url=f"redis://127.0.0.1:{port}/0"))
