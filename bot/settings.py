"""Settings read once from the environment into one typed object."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

from bot.opening_hours import DEFAULT_OPENING_HOURS, OpeningHours, OpeningHoursError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'intake.db'}"
MAX_RASA_INSTANCES = 16
DEFAULT_LOCK_LIFETIME = 60  # Rasa's own default
# An action must finish this many seconds before the conversation's lock expires.
LOCK_MARGIN_SECONDS = 15
MIN_LOCK_LIFETIME = LOCK_MARGIN_SECONDS + 15


class SettingsError(ValueError):
    """A setting in the environment has a value the project cannot use."""


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip() or str(default)
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise SettingsError(f"{name} must be a port number from 1 to 65535, not {raw!r}.")
    return int(raw)


def _whole_number(env: Mapping[str, str], name: str, default: int, low: int, high: int, meaning: str) -> int:
    raw = env.get(name, "").strip() or str(default)
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise SettingsError(f"{name} must be {meaning} from {low} to {high}, not {raw!r}.")
    return int(raw)


def _tls_files(env: Mapping[str, str]) -> dict:
    files = {"tls_certificate": env.get("INTAKE_TLS_CERTIFICATE", "").strip() or None,
             "tls_key": env.get("INTAKE_TLS_KEY", "").strip() or None}
    if (files["tls_certificate"] is None) != (files["tls_key"] is None):
        raise SettingsError("Set both INTAKE_TLS_CERTIFICATE and INTAKE_TLS_KEY for HTTPS, or neither.")
    return files


def _opening_hours(env: Mapping[str, str]) -> OpeningHours:
    try:
        return OpeningHours.parse(env.get("INTAKE_OPENING_HOURS", "").strip() or DEFAULT_OPENING_HOURS)
    except OpeningHoursError as error:
        raise SettingsError(f"INTAKE_OPENING_HOURS: {error}.") from None


@dataclass(frozen=True)
class Settings:
    """Ports, database and secrets of one deployment."""

    rasa_port: int
    actions_port: int
    web_port: int
    staff_port: int
    database_url: str
    rasa_auth_token: Optional[str]
    opening_hours: OpeningHours
    # Redis for Rasa's lock store; None runs one Rasa process with in-memory locks.
    redis_url: Optional[str] = None
    rasa_instances: int = 1
    # Seconds a conversation stays locked for one message; Rasa reads TICKET_LOCK_LIFETIME itself.
    lock_lifetime: int = DEFAULT_LOCK_LIFETIME
    # How people can reach the organisation when the assistant cannot help (phone, e-mail, hours).
    org_contact: Optional[str] = None
    # HTTPS on the proxy in front of several Rasa servers: PEM certificate chain and key files.
    tls_certificate: Optional[str] = None
    tls_key: Optional[str] = None

    @property
    def action_timeout(self) -> int:
        """Seconds the action server may spend on one action: well inside the lock lifetime."""
        return self.lock_lifetime - LOCK_MARGIN_SECONDS

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> "Settings":
        """Read the settings, with the contract's defaults."""
        return cls(
            rasa_port=_port(env, "RASA_PORT", 5005),
            actions_port=_port(env, "ACTIONS_PORT", 5055),
            web_port=_port(env, "WEB_PORT", 8000),
            staff_port=_port(env, "STAFF_PORT", 8001),
            database_url=env.get("INTAKE_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL,
            rasa_auth_token=env.get("RASA_AUTH_TOKEN", "").strip() or None,
            opening_hours=_opening_hours(env),
            redis_url=env.get("INTAKE_REDIS_URL", "").strip() or None,
            rasa_instances=_whole_number(env, "RASA_INSTANCES", 1, 1, MAX_RASA_INSTANCES, "a number of processes"),
            lock_lifetime=_whole_number(env, "TICKET_LOCK_LIFETIME", DEFAULT_LOCK_LIFETIME,
                                        MIN_LOCK_LIFETIME, 3600, "a number of seconds"),
            org_contact=env.get("INTAKE_ORG_CONTACT", "").strip() or None,
            **_tls_files(env),
        )
