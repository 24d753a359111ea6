"""Telegram: updates authenticated by the webhook's secret token, buttons as inline keyboards.

Unlike Rasa's connector, this one never calls setWebhook at start-up (registering is
`intake telegram set-webhook`) and never asks Telegram anything to accept an update.
"""
from __future__ import annotations

import hmac
import logging
from typing import Any, Dict, List, Optional, Text, Tuple

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.platform_api import PlatformError
from bot.channels.replies import Button, parts_before_buttons, split_text
from bot.channels.telegram_api import TelegramApi, TelegramSettings
from bot.channels.webhook import (
    CountingOutput, Inbound, OnNewMessage, PlatformInput, json_object, member, native_recipient,
    platform_sender,
)

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_TEXT = 4096
MAX_CALLBACK_DATA_BYTES = 64
# Telegram sends /start when someone opens the bot: that is a greeting.
START_COMMAND = "/start"
GREETING = "/greet"


def keyboard(buttons: List[Button]) -> Dict[str, Any]:
    """An inline keyboard, one button per row; a reply keyboard if a payload is too long for callback data."""
    if all(len(button["payload"].encode()) <= MAX_CALLBACK_DATA_BYTES for button in buttons):
        return {"inline_keyboard": [[{"text": button["title"], "callback_data": button["payload"]}] for button in buttons]}
    # The titles come back as typed text, which the assistant understands too.
    return {"keyboard": [[{"text": button["title"]}] for button in buttons],
            "one_time_keyboard": True, "resize_keyboard": True}


class TelegramOutput(CountingOutput):
    """Sends the assistant's replies with sendMessage."""

    @classmethod
    def name(cls) -> Text:
        return "telegram"

    def __init__(self, api: TelegramApi) -> None:
        self.api = api

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for part in split_text(text, MAX_TEXT):
            await self._send(recipient_id, {"text": part})

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Button], **kwargs: Any,
    ) -> None:
        *first, last = parts_before_buttons(text, MAX_TEXT)
        for part in first:
            await self._send(recipient_id, {"text": part})
        await self._send(recipient_id, {"text": last, "reply_markup": keyboard(buttons)})

    async def _send(self, recipient_id: Text, message: Dict[str, Any]) -> None:
        await self.api.call("sendMessage", {"chat_id": native_recipient("telegram", recipient_id), **message})


def read_update(update: Dict[str, Any]) -> Tuple[Optional[Inbound], Optional[str]]:
    """The person's message in an update and the callback query to acknowledge.

    None for what the assistant ignores: group chats (a health conversation stays
    private), edited messages and other kinds of update.
    """
    if "callback_query" in update:
        query = member(update, "callback_query")
        message, text, callback_id = member(query, "message"), query.get("data"), query.get("id")
        user = member(query, "from")
    else:
        message, callback_id = member(update, "message"), None
        text, user = message.get("text"), member(message, "from")
        if isinstance(text, str) and (text == START_COMMAND or text.startswith(START_COMMAND + " ")):
            text = GREETING
    chat = member(message, "chat")
    if chat.get("type") != "private" or chat.get("id") is None or update.get("update_id") is None:
        return None, callback_id
    metadata = {"locale": user["language_code"]} if isinstance(user.get("language_code"), str) else {}
    text = text if isinstance(text, str) else None
    return Inbound(str(update["update_id"]), platform_sender("telegram", chat["id"]), text, metadata), callback_id


class TelegramInput(PlatformInput):
    """POST /webhooks/telegram/webhook, accepted only with the secret given to setWebhook."""

    settings_class = TelegramSettings

    @classmethod
    def name(cls) -> Text:
        return "telegram"

    def __init__(self, settings: TelegramSettings) -> None:
        super().__init__(settings)
        self.api = TelegramApi(settings)

    def get_output_channel(self) -> TelegramOutput:
        return TelegramOutput(self.api)

    async def close(self) -> None:
        await self.api.close()

    def is_authentic(self, request: Request) -> bool:
        """The secret token header equals ours (compared in constant time)."""
        given = request.headers.get(SECRET_HEADER, "")
        return hmac.compare_digest(given.encode(), self.settings.webhook_secret.encode())

    async def _acknowledge(self, callback_id: str) -> None:
        """Stop the spinner on the tapped button; a failure here must not cost the message."""
        try:
            await self.api.call("answerCallbackQuery", {"callback_query_id": callback_id})
        except PlatformError as error:
            logger.warning("telegram: a button tap was not acknowledged (%s).", error)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = self.new_blueprint()

        @blueprint.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.is_authentic(request):
                return self.refuse("missing or wrong secret token")
            update = json_object(request.body)
            if update is None:
                return response.text("The body must be a Telegram update (a JSON object).", status=400)
            inbound, callback_id = read_update(update)
            if callback_id:
                await self._acknowledge(str(callback_id))
            if inbound is None:
                return response.text("")
            answered = await self.deliver_all([(inbound, self.get_output_channel())], on_new_message)
            return response.text("", status=200 if answered else 500)

        return blueprint
