"""Telegram's Bot API: settings, calls, and registering the webhook (light: no Rasa import)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Dict

from bot.channels.platform_api import PlatformApi, PlatformError
from bot.channels.platform_settings import ChannelOff, env_field

# What Telegram accepts as a secret_token (setWebhook).
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# Updates the assistant reads; Telegram sends nothing else.
ALLOWED_UPDATES = ("message", "callback_query")


@dataclass(frozen=True)
class TelegramSettings:
    """TELEGRAM_* environment variables."""

    bot_token: str = env_field("TELEGRAM_BOT_TOKEN")
    webhook_secret: str = env_field("TELEGRAM_WEBHOOK_SECRET")
    webhook_url: str = env_field("TELEGRAM_WEBHOOK_URL", default="")
    api_base_url: str = env_field("TELEGRAM_API_BASE_URL", default="https://api.telegram.org")

    def __post_init__(self) -> None:
        if not _SECRET_TOKEN.match(self.webhook_secret):
            raise ChannelOff("telegram", (), False,
                             problem="TELEGRAM_WEBHOOK_SECRET must be 1 to 256 letters, digits, '_' or '-'")


class TelegramApi:
    """Calls Bot API methods; the token is in the URL path, so errors never include the URL."""

    def __init__(self, settings: TelegramSettings) -> None:
        self._api = PlatformApi("Telegram", settings.api_base_url)
        self._path = f"/bot{settings.bot_token}/"

    async def call(self, method: str, payload: Dict[str, Any]) -> Any:
        """The `result` of a Bot API method, or PlatformError."""
        answer = await self._api.post(self._path + method, json=payload)
        if not answer.get("ok"):
            raise PlatformError(f"Telegram refused {method}", answer)
        return answer.get("result")

    async def close(self) -> None:
        await self._api.close()


async def register_webhook(settings: TelegramSettings, url: str) -> None:
    """Tell Telegram to POST updates to `url` with our secret in X-Telegram-Bot-Api-Secret-Token."""
    api = TelegramApi(settings)
    try:
        await api.call("setWebhook", {
            "url": url, "secret_token": settings.webhook_secret, "allowed_updates": list(ALLOWED_UPDATES),
        })
    finally:
        await api.close()
