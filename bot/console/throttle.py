"""Sign-in throttling: failures are slowed down, then locked out per account and per address."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.models import SignInFailure


@dataclass(frozen=True)
class LockoutPolicy:
    """Counts failures within `window`; answers get slower, then sign-in is refused."""

    window: dt.timedelta = dt.timedelta(minutes=15)
    slow_after: int = 2  # failures before answers start to slow down
    base_delay_seconds: float = 0.5
    max_delay_seconds: float = 4.0
    account_limit: int = 5  # failures for one e-mail address before it is locked
    address_limit: int = 20  # failures from one client address before it is locked

    def delay_seconds(self, failures: int) -> float:
        """How long to wait before answering, after `failures` recent failures."""
        if failures <= self.slow_after:
            return 0.0
        return min(self.base_delay_seconds * 2 ** (failures - self.slow_after - 1), self.max_delay_seconds)


@dataclass(frozen=True)
class RecentFailures:
    """Failures within the policy's window for the e-mail and for the client address."""

    account: int
    address: int

    def locked(self, policy: LockoutPolicy) -> bool:
        return self.account >= policy.account_limit or self.address >= policy.address_limit

    def delay_seconds(self, policy: LockoutPolicy) -> float:
        return policy.delay_seconds(self.account)


def recent_failures(session: Session, policy: LockoutPolicy, email: str, client_ip: str, now: dt.datetime) -> RecentFailures:
    """Count the recent failures for this e-mail and this client address."""
    since = now - policy.window
    count = sa.select(sa.func.count(SignInFailure.id)).where(SignInFailure.at >= since)
    return RecentFailures(
        account=session.scalar(count.where(SignInFailure.email == email)),
        address=session.scalar(count.where(SignInFailure.client_ip == client_ip)),
    )


def record_failure(session: Session, policy: LockoutPolicy, email: str, client_ip: str, now: dt.datetime) -> None:
    """Remember one failure and forget those too old to count."""
    session.execute(sa.delete(SignInFailure).where(SignInFailure.at < now - policy.window))
    session.add(SignInFailure(email=email, client_ip=client_ip, at=now))


def clear_failures(session: Session, email: str) -> None:
    """A successful sign-in wipes the account's failures (not the address's)."""
    session.execute(sa.delete(SignInFailure).where(SignInFailure.email == email))
