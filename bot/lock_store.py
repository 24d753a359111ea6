"""Rasa's Redis lock store with atomic updates, for several Rasa processes sharing conversations.

Rasa 3.6's RedisLockStore reads a conversation's ticket lock, changes it in
Python and writes it back (Rasa issue 9213). Two processes taking a ticket at
the same moment can both get the same number and handle the same person's
messages at once, and a clean-up can delete a lock another process has just
queued on, which fails that message. Here every read-modify-write runs in a
Redis transaction (WATCH/MULTI/EXEC, retried when another process got there
first), so the ticket order Rasa relies on holds across processes. Keys also
expire with their last ticket, so a crashed process leaves nothing behind.
"""
from __future__ import annotations

import json
import time
from contextlib import asynccontextmanager
from typing import AsyncGenerator, Callable, Optional, Text, Tuple, TypeVar

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from rasa.core.lock import TicketLock
from rasa.core.lock_store import DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX, LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot import turn_status
from bot.health import Check, check_redis, describe_redis, in_thread

# Rasa polls a busy lock once a second; a person's second message need not wait that long.
POLL_SECONDS = 0.05
SOCKET_TIMEOUT_SECONDS = 5

Result = TypeVar("Result")


class LockStoreUnavailable(RuntimeError):
    """Redis for the lock store cannot be used; the message names it and the setting."""


def _unavailable(error: redis.RedisError) -> LockError:
    """The error Rasa expects from a lock store, noted for the channel answering this turn."""
    problems = turn_status.current()
    if problems is not None:
        problems.locks_unavailable = True
    return LockError(f"The lock store could not be reached ({type(error).__name__}).")


class AtomicRedisLockStore(RedisLockStore):
    """RedisLockStore whose ticket changes are atomic; configured by a redis:// URL (INTAKE_REDIS_URL)."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:  # noqa: super-init-not-called
        # RedisLockStore's constructor takes host and port; this one takes a URL and sets the
        # same two attributes itself. One retry on a fresh connection: pooled connections are
        # dead after Redis restarts.
        url = (endpoint_config.url or "").strip()
        try:
            self.red = redis.Redis.from_url(url, socket_timeout=SOCKET_TIMEOUT_SECONDS,
                                            socket_connect_timeout=SOCKET_TIMEOUT_SECONDS,
                                            retry=Retry(NoBackoff(), 1), retry_on_error=[redis.ConnectionError])
        except ValueError as error:
            raise LockStoreUnavailable(f"INTAKE_REDIS_URL is not a Redis URL: {error}") from None
        self.key_prefix = DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX
        reachable = check_redis(self.red)
        if not reachable.ok:
            raise LockStoreUnavailable(f"Cannot reach {describe_redis(url)} (INTAKE_REDIS_URL): {reachable.detail}")

    async def check(self) -> Check:
        """A live PING, for /health."""
        return await in_thread(check_redis, self.red)

    def _update(self, conversation_id: Text,
                change: Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], Result]]) -> Result:
        """Apply `change` to the stored lock atomically; a returned None lock deletes it."""
        key = self.key_prefix + conversation_id

        def attempt(pipe: redis.client.Pipeline) -> Result:
            raw = pipe.get(key)
            lock, result = change(TicketLock.from_dict(json.loads(raw)) if raw else None)
            pipe.multi()
            if lock is None or not lock.tickets:
                pipe.delete(key)
            else:
                last_expiry = max(ticket.expires for ticket in lock.tickets)
                pipe.set(key, lock.dumps(), px=max(1, int((last_expiry - time.time()) * 1000)))
            return result

        try:
            return self.red.transaction(attempt, key, value_from_callable=True)
        except redis.RedisError as error:
            raise _unavailable(error) from None

    def get_lock(self, conversation_id: Text) -> Optional[TicketLock]:
        try:
            return super().get_lock(conversation_id)
        except redis.RedisError as error:
            raise _unavailable(error) from None

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def add_ticket(lock: Optional[TicketLock]) -> Tuple[TicketLock, int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        return self._update(conversation_id, add_ticket)

    def update_lock(self, conversation_id: Text) -> None:
        def drop_expired(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._update(conversation_id, drop_expired)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        def drop_ticket(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._update(conversation_id, drop_ticket)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        # Rasa's version finishes, checks for waiters and deletes in three steps; one step here,
        # and a lock without tickets is deleted by _update.
        self.finish_serving(conversation_id, ticket_number)

    @asynccontextmanager
    async def lock(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = POLL_SECONDS) -> AsyncGenerator[TicketLock, None]:
        async with super().lock(conversation_id, lock_lifetime, wait_time_in_seconds) as ticket_lock:
            yield ticket_lock
