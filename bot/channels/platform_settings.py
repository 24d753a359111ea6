"""Messaging platform settings, read from environment variables into typed objects."""
from __future__ import annotations

import dataclasses
import logging
import os
from typing import Any, Mapping, Tuple, Type, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")


def env_field(variable: str, default: Any = dataclasses.MISSING) -> Any:
    """A settings field read from `variable`; without a default the variable is required."""
    return dataclasses.field(default=default, metadata={"env": variable})


class ChannelOff(Exception):
    """A platform cannot run: its required variables are missing or unusable."""

    def __init__(self, platform: str, missing: Tuple[str, ...], partly_configured: bool, problem: str = "") -> None:
        self.platform = platform
        self.missing = missing
        self.partly_configured = partly_configured
        self.problem = problem
        super().__init__(self.reason())

    def reason(self) -> str:
        """What is missing or wrong, naming variables, never values."""
        if self.problem:
            return self.problem
        names = " and ".join(filter(None, [", ".join(self.missing[:-1]), self.missing[-1]]))
        verb = "is" if len(self.missing) == 1 else "are"
        return f"{names} {verb} not set" + (" (some of its other settings are)" if self.partly_configured else "")

    def log(self) -> None:
        """Log once at start: a notice when unconfigured, a warning when half-configured or wrong."""
        level = logging.WARNING if self.partly_configured or self.problem else logging.INFO
        logger.log(level, "The %s channel is off: %s.", self.platform, self.reason())


def load_settings(cls: Type[T], platform: str, env: Mapping[str, str] = os.environ) -> T:
    """Build `cls` (a dataclass of env_field's) from `env`; ChannelOff when a required one is unset."""
    values = {}
    missing = []
    given = False
    for field in dataclasses.fields(cls):
        value = env.get(field.metadata["env"], "").strip()
        if value:
            values[field.name] = value
            given = given or field.default is dataclasses.MISSING
        elif field.default is dataclasses.MISSING:
            missing.append(field.metadata["env"])
    if missing:
        raise ChannelOff(platform, tuple(missing), partly_configured=given)
    return cls(**values)
