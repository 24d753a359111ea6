"""Console settings read once from the environment into one typed object."""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Mapping

from bot.console.throttle import LockoutPolicy
from bot.settings import SettingsError

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off", "")


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw not in TRUE_WORDS + FALSE_WORDS:
        raise SettingsError(f"{name} must be true or false, not {raw!r}.")
    return raw in TRUE_WORDS


def _minutes(env: Mapping[str, str], name: str, default: int) -> dt.timedelta:
    raw = env.get(name, "").strip() or str(default)
    if not raw.isdigit() or not 1 <= int(raw) <= 24 * 60:
        raise SettingsError(f"{name} must be a number of minutes from 1 to 1440, not {raw!r}.")
    return dt.timedelta(minutes=int(raw))


@dataclass(frozen=True)
class ConsoleSettings:
    """How the staff console protects sessions and sign-in."""

    secure_cookies: bool = False  # always mark cookies Secure (the console is only served over HTTPS)
    trust_proxy: bool = False  # honour X-Forwarded-Proto / X-Forwarded-For from the reverse proxy in front
    idle_timeout: dt.timedelta = dt.timedelta(minutes=30)
    max_session_age: dt.timedelta = dt.timedelta(hours=12)
    lockout: LockoutPolicy = field(default_factory=LockoutPolicy)

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "ConsoleSettings":
        """INTAKE_STAFF_SECURE_COOKIES, INTAKE_STAFF_TRUST_PROXY, INTAKE_STAFF_IDLE_MINUTES."""
        return cls(
            secure_cookies=_flag(env, "INTAKE_STAFF_SECURE_COOKIES"),
            trust_proxy=_flag(env, "INTAKE_STAFF_TRUST_PROXY"),
            idle_timeout=_minutes(env, "INTAKE_STAFF_IDLE_MINUTES", 30),
        )
