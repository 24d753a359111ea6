"""`intake telegram set-webhook`: tells Telegram where to send updates, and with which secret."""
from __future__ import annotations

import argparse
import asyncio
import sys

from bot.channels.platform_api import PlatformError
from bot.channels.platform_settings import ChannelOff, load_settings
from bot.channels.telegram_api import TelegramSettings, register_webhook
from bot.settings import SettingsError


def add_telegram_commands(subparsers: argparse._SubParsersAction) -> None:
    """Add `telegram set-webhook` to the `intake` command line."""
    telegram = subparsers.add_parser("telegram", help="the Telegram channel").add_subparsers(dest="action", required=True)
    register = telegram.add_parser("set-webhook", help="register the webhook URL and secret token with Telegram")
    register.add_argument("--url", help="public URL of /webhooks/telegram/webhook (default: TELEGRAM_WEBHOOK_URL)")
    register.set_defaults(handler=cmd_telegram_set_webhook)


def cmd_telegram_set_webhook(args: argparse.Namespace) -> int:
    try:
        settings = load_settings(TelegramSettings, "telegram")
    except ChannelOff as off:
        raise SettingsError(f"Telegram is not configured: {off.reason()}.") from None
    url = args.url or settings.webhook_url
    if not url:
        raise SettingsError("give the webhook's public URL with --url or TELEGRAM_WEBHOOK_URL.")
    try:
        asyncio.run(register_webhook(settings, url))
    except PlatformError as error:
        print(f"intake: Telegram did not register the webhook: {error.answer.get('description') or error}",
              file=sys.stderr)
        return 1
    print(f"Telegram now sends updates to {url} with the secret token.")
    return 0
