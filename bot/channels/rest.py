"""Rasa's REST channel with the input guard in front of the assistant."""
from __future__ import annotations

from typing import Awaitable, Callable, Optional, Text

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint
from sanic.exceptions import InvalidUsage  # a 400 response in Sanic 21.12
from sanic.request import Request

from bot.input_guard import clean
from bot.rasa_process import prepare
from bot.settings import Settings
from bot.turn_status import handle_watched, silence_notice

MAX_SENDER_LENGTH = 128
# Conversations of the messaging platforms ("twilio:+44...", see bot/channels/webhook.py):
# the REST channel must not let anyone who guesses such an id read or continue them.
PLATFORM_PREFIXES = ("telegram:", "twilio:", "facebook:", "slack:")


class GuardedRestInput(RestInput):
    """POST /webhooks/rest/webhook, as Rasa's, but every message is cleaned first
    and every message gets an answer.

    A request without a sender is refused: Rasa would otherwise file it under a
    shared "default" conversation, mixing different people's messages. So is a
    sender that names a messaging platform's conversation.
    """

    @classmethod
    def name(cls) -> Text:
        return "rest"

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        body = req.json
        sender = body.get("sender") if isinstance(body, dict) else None
        if not isinstance(sender, str) or not sender.strip() or len(sender) > MAX_SENDER_LENGTH:
            raise InvalidUsage("The request needs a 'sender': a string of 1 to 128 characters.")
        if sender.lower().startswith(PLATFORM_PREFIXES):
            raise InvalidUsage("This 'sender' belongs to a messaging platform's conversation; choose another.")
        return sender

    def _extract_message(self, req: Request) -> Optional[Text]:
        body = req.json
        return body.get("message") if isinstance(body, dict) else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        prepare()  # the action-failure watch, and faster action-answer checks
        org_contact = Settings.from_env().org_contact

        async def guarded(message: UserMessage) -> None:
            cleaned = clean(message.text)
            for notice in cleaned.notices:
                await message.output_channel.send_text_message(message.sender_id, notice)
            if cleaned.text is None:
                return
            message.text = cleaned.text
            sent = getattr(message.output_channel, "messages", None)
            before = len(sent) if sent is not None else 0
            # Failed actions or stores get a kind notice with another way to reach us.
            problems = await handle_watched(
                lambda: on_new_message(message),
                lambda text: message.output_channel.send_text_message(message.sender_id, text), org_contact)
            # Never leave the person in silence, whatever the dialogue predicted.
            if sent is not None and len(sent) == before:
                await message.output_channel.send_text_message(message.sender_id, silence_notice(problems))

        return super().blueprint(guarded)
