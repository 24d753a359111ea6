"""Facebook Messenger: X-Hub-Signature-256 over the raw body, replies through the Send API, quick replies.

Rasa's connector checks the legacy SHA-1 header, answers only the first event of a
batch and sends with a synchronous client; this one does none of that.
"""
from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, replace
from typing import Any, Dict, List, Optional, Text

from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.platform_api import PlatformApi
from bot.channels.platform_settings import env_field
from bot.channels.replies import Button, numbered_options, parts_before_buttons, split_text
from bot.channels.webhook import (
    CountingOutput, Inbound, OnNewMessage, PlatformInput, json_object, member, native_recipient,
    platform_sender, resolve_numbered_reply,
)

SIGNATURE_HEADER = "X-Hub-Signature-256"
MAX_TEXT = 2000
MAX_QUICK_REPLIES = 13
MAX_QUICK_REPLY_TITLE = 20


@dataclass(frozen=True)
class FacebookSettings:
    """FACEBOOK_* environment variables."""

    page_access_token: str = env_field("FACEBOOK_PAGE_ACCESS_TOKEN")
    app_secret: str = env_field("FACEBOOK_APP_SECRET")
    verify_token: str = env_field("FACEBOOK_VERIFY_TOKEN")
    api_base_url: str = env_field("FACEBOOK_API_BASE_URL", default="https://graph.facebook.com/v19.0")


def hub_signature(app_secret: str, raw_body: bytes) -> str:
    """The X-Hub-Signature-256 value Meta sends with `raw_body`."""
    return "sha256=" + hmac.new(app_secret.encode(), raw_body, hashlib.sha256).hexdigest()


def with_quick_replies(text: Optional[str], buttons: List[Button]) -> List[Dict[str, Any]]:
    """Messages for a text with buttons: quick replies with the titles when they fit Messenger's
    limits, else the options numbered in the text with numbered quick replies."""
    if len(buttons) > MAX_QUICK_REPLIES:
        return [{"text": part} for part in split_text(numbered_options(text, buttons), MAX_TEXT)]
    titled = all(len(button["title"]) <= MAX_QUICK_REPLY_TITLE for button in buttons)
    parts = parts_before_buttons(text if titled else numbered_options(text, buttons), MAX_TEXT)
    quick_replies = [
        {"content_type": "text", "title": button["title"] if titled else str(number), "payload": button["payload"]}
        for number, button in enumerate(buttons, start=1)
    ]
    return [{"text": part} for part in parts[:-1]] + [{"text": parts[-1], "quick_replies": quick_replies}]


class MessengerOutput(CountingOutput):
    """Sends replies with the Send API, proving the app secret (appsecret_proof)."""

    @classmethod
    def name(cls) -> Text:
        return "facebook"

    def __init__(self, api: PlatformApi, settings: FacebookSettings) -> None:
        self.api = api
        self.params = {
            "access_token": settings.page_access_token,
            "appsecret_proof": hmac.new(
                settings.app_secret.encode(), settings.page_access_token.encode(), hashlib.sha256,
            ).hexdigest(),
        }

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for part in split_text(text, MAX_TEXT):
            await self._send(recipient_id, {"text": part})

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Button], **kwargs: Any,
    ) -> None:
        for message in with_quick_replies(text, buttons):
            await self._send(recipient_id, message)

    async def _send(self, recipient_id: Text, message: Dict[str, Any]) -> None:
        await self.api.post("/me/messages", params=self.params, json={
            "recipient": {"id": native_recipient("facebook", recipient_id)},
            "messaging_type": "RESPONSE",
            "message": message,
        })


def read_event(event: Dict[str, Any]) -> Optional[Inbound]:
    """The person's message or button tap in one messaging event; None for echoes, receipts and the like."""
    sender = member(event, "sender").get("id")
    if "message" in event:
        message = member(event, "message")
        if message.get("is_echo"):
            return None
        message_id = message.get("mid")
        text = member(message, "quick_reply").get("payload") or message.get("text")
    elif "postback" in event:
        postback = member(event, "postback")
        message_id = postback.get("mid") or f"{sender}:{event.get('timestamp')}"
        text = postback.get("payload")
    else:
        return None
    if not sender or not message_id:
        return None
    return Inbound(str(message_id), platform_sender("facebook", sender), text if isinstance(text, str) else None)


class FacebookInput(PlatformInput):
    """GET (subscription check) and POST /webhooks/facebook/webhook."""

    settings_class = FacebookSettings

    @classmethod
    def name(cls) -> Text:
        return "facebook"

    def __init__(self, settings: FacebookSettings) -> None:
        super().__init__(settings)
        self.api = PlatformApi("Facebook", settings.api_base_url)

    def get_output_channel(self) -> MessengerOutput:
        return MessengerOutput(self.api, self.settings)

    async def close(self) -> None:
        await self.api.close()

    def is_authentic(self, request: Request) -> bool:
        """X-Hub-Signature-256 is the HMAC-SHA256 of the raw body with the app secret."""
        given = request.headers.get(SIGNATURE_HEADER, "")
        return hmac.compare_digest(given.encode(), hub_signature(self.settings.app_secret, request.body).encode())

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = self.new_blueprint()

        @blueprint.route("/webhook", methods=["GET"])
        async def verify_subscription(request: Request) -> HTTPResponse:
            token = request.args.get("hub.verify_token") or ""
            if request.args.get("hub.mode") != "subscribe" or not hmac.compare_digest(
                token.encode(), self.settings.verify_token.encode(),
            ):
                return self.refuse("wrong verify token in a subscription check")
            return response.text(request.args.get("hub.challenge") or "")

        @blueprint.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.is_authentic(request):
                return self.refuse("missing or wrong X-Hub-Signature-256")
            payload = json_object(request.body)
            if payload is None or payload.get("object") != "page":
                return response.text("The body must be a Messenger page event (a JSON object).", status=400)
            messages = []
            for entry in payload.get("entry") or []:
                for event in (entry.get("messaging") or []) if isinstance(entry, dict) else []:
                    inbound = read_event(event) if isinstance(event, dict) else None
                    if inbound is not None:
                        text = await resolve_numbered_reply(request, inbound.sender_id, inbound.text)
                        messages.append((replace(inbound, text=text), self.get_output_channel()))
            answered = await self.deliver_all(messages, on_new_message)
            return response.text("EVENT_RECEIVED" if answered else "", status=200 if answered else 500)

        return blueprint
