"""Rasa's REST channel with the input guard in front of the assistant."""
from __future__ import annotations

from typing import Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint
from sanic.exceptions import InvalidUsage  # a 400 response in Sanic 21.12
from sanic.request import Request

from bot.channels.turn import OnNewMessage, SentCount, TurnHandler

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

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        turns = TurnHandler.for_server()

        async def guarded(message: UserMessage) -> None:
            await turns.answer(message, message.text, on_new_message, collected_count(message.output_channel))

        return super().blueprint(guarded)


def collected_count(output: OutputChannel) -> Optional[SentCount]:
    """How many messages Rasa's collecting output holds; None for a streamed answer (a queue, read as it fills)."""
    messages = getattr(output, "messages", None)
    return (lambda: len(messages)) if isinstance(messages, list) else None
