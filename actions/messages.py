"""Sends the messages of bot/resources/messages.yml.

Rasa's validator requires every domain response to appear in a story or rule,
so messages that only actions send live in this file instead of domain.yml.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Dict

import yaml
from rasa_sdk.executor import CollectingDispatcher

MESSAGES = Path(__file__).resolve().parent.parent / "bot" / "resources" / "messages.yml"


@lru_cache(maxsize=1)
def messages() -> Dict[str, Dict[str, Any]]:
    """All action messages by key."""
    return yaml.safe_load(MESSAGES.read_text(encoding="utf-8"))


def say(dispatcher: CollectingDispatcher, key: str, **fields: str) -> None:
    """Send message `key`, filling `{placeholders}` from `fields`."""
    message = messages()[key]
    dispatcher.utter_message(text=message["text"].format(**fields), buttons=message.get("buttons", []))
