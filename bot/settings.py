"""Settings read once from the environment into one typed object."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'intake.db'}"


class SettingsError(ValueError):
    """A setting in the environment has a value the project cannot use."""


def _port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip() or str(default)
    if not raw.isdigit() or not 1 <= int(raw) <= 65535:
        raise SettingsError(f"{name} must be a port number from 1 to 65535, not {raw!r}.")
    return int(raw)


@dataclass(frozen=True)
class Settings:
    """Ports, database and secrets of one deployment."""

    rasa_port: int
    actions_port: int
    web_port: int
    staff_port: int
    database_url: str
    rasa_auth_token: Optional[str]

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
        )
