"""What the messaging platform connectors share: the off switch, processing once, answering as every channel does."""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Text, Tuple

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.core.events import BotUttered, Event, UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.dedup import ProcessedWebhooks
from bot.channels.platform_settings import ChannelOff, load_settings
from bot.channels.replies import Button, chosen_payload, option_number
from bot.channels.turn import OnNewMessage, TurnHandler
from bot.database import configured_database

logger = logging.getLogger(__name__)

UNSUPPORTED_NOTICE = "Sorry, I can only read text messages. Could you type what you'd like to say?"


@dataclass(frozen=True)
class Inbound:
    """One authenticated message from a person on a platform."""

    message_id: str  # the platform's own id, the same in every retry
    sender_id: str  # "<platform>:<the platform's id for the person>"
    text: Optional[str]  # None for what the assistant cannot read: a photo, a sticker, a voice note
    metadata: Dict[str, Any] = field(default_factory=dict)


class CountingOutput(OutputChannel):
    """An output channel that counts the replies it sends, so that silence is noticed."""

    replies = 0

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        self.replies += 1
        await super().send_response(recipient_id, message)


def platform_sender(platform: str, native_id: Any) -> str:
    """The conversation id for a person on `platform`; the prefix keeps platforms' ids apart."""
    return f"{platform}:{native_id}"


def native_recipient(platform: str, sender_id: str) -> str:
    """The platform's own id for the person behind `sender_id`."""
    return sender_id.removeprefix(f"{platform}:")


class OffChannel(InputChannel):
    """A platform without settings: it registers no routes, so its webhook answers 404."""

    def __init__(self, platform: str) -> None:
        self.platform = platform

    def url_prefix(self) -> Text:
        return self.platform

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        return Blueprint(f"{self.platform}_off")


class PlatformInput(InputChannel):
    """Base of the platform connectors: settings from the environment, each message processed once."""

    settings_class: type

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self._processed: Optional[ProcessedWebhooks] = None
        self._turns: Optional[TurnHandler] = None

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        """The connector, or an OffChannel when its environment variables are not set."""
        try:
            settings = load_settings(cls.settings_class, cls.name())
        except ChannelOff as off:
            off.log()
            return OffChannel(cls.name())
        logger.info("The %s channel is on.", cls.name())
        return cls(settings)

    def new_blueprint(self) -> Blueprint:
        """This platform's blueprint with a health route; opens the database now, at start-up."""
        self._processed = ProcessedWebhooks(configured_database())
        self._turns = TurnHandler.for_server()
        blueprint = Blueprint(f"{self.name()}_webhook")

        @blueprint.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @blueprint.listener("after_server_stop")
        async def close(*_: Any) -> None:
            await self.close()

        return blueprint

    async def close(self) -> None:
        """Release the connector's HTTP sessions at server stop."""

    def refuse(self, reason: str) -> HTTPResponse:
        """403 for a request that failed authentication; nothing of it is processed."""
        logger.warning("%s: webhook request refused (%s).", self.name(), reason)
        return response.text("Forbidden", status=403)

    async def deliver_all(self, messages: Sequence[Tuple[Inbound, CountingOutput]], on_new_message: OnNewMessage) -> bool:
        """Answer each message once; False (logged) when one failed and the platform should retry."""
        for inbound, output in messages:
            try:
                await self.deliver(inbound, output, on_new_message)
            except Exception as error:
                # The kind of error only: its text could quote the message.
                logger.error("%s: a message could not be answered (%s).", self.name(), type(error).__name__)
                logger.debug("%s: failure details", self.name(), exc_info=True)
                return False
        return True

    async def deliver(self, inbound: Inbound, output: CountingOutput, on_new_message: OnNewMessage) -> None:
        """Answer `inbound` unless its id was already claimed; a failure releases the claim and raises."""
        if not await self._processed.claim(self.name(), inbound.message_id):
            logger.info("%s: a retried message was recognised and not processed again.", self.name())
            return
        try:
            await self._answer(inbound, output, on_new_message)
        except BaseException:
            await self._processed.release(self.name(), inbound.message_id)
            raise

    async def _answer(self, inbound: Inbound, output: CountingOutput, on_new_message: OnNewMessage) -> None:
        """Answer the text as every channel does (bot/channels/turn.py); anything else gets a "please type"."""
        if inbound.text is None:
            await output.send_text_message(inbound.sender_id, UNSUPPORTED_NOTICE)
            return
        message = UserMessage(None, output, inbound.sender_id, input_channel=self.name(),
                              message_id=inbound.message_id, metadata=inbound.metadata or None)
        await self._turns.answer(message, inbound.text, on_new_message, lambda: output.replies)


def latest_buttons(events: Sequence[Event]) -> List[Button]:
    """The buttons of the assistant's latest message with buttons since the person last wrote."""
    for event in reversed(events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, BotUttered) and event.data.get("buttons"):
            return list(event.data["buttons"])
    return []


async def resolve_numbered_reply(request: Request, sender_id: str, text: Optional[str]) -> Optional[str]:
    """A reply that is just a number picks that option of the latest numbered list; other text is kept."""
    number = option_number(text) if text else None
    if number is None:
        return text
    tracker = await request.app.ctx.agent.tracker_store.retrieve(sender_id)
    payload = chosen_payload(number, latest_buttons(tracker.events if tracker else []))
    return payload or text


def json_object(raw: bytes) -> Optional[Dict[str, Any]]:
    """The JSON object in a raw request body, or None when the body is not one."""
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def member(document: Dict[str, Any], key: str) -> Dict[str, Any]:
    """`document[key]` when it is an object, else an empty one (platform payloads vary)."""
    value = document.get(key)
    return value if isinstance(value, dict) else {}
