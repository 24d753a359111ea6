"""Twilio SMS and WhatsApp: signed requests only, replies through the Messages API, numbered options.

Rasa's connector neither checks X-Twilio-Signature nor sends without blocking the
event loop (the twilio client is synchronous); this one does both.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, List, Optional, Text
from urllib.parse import parse_qsl

import aiohttp
import phonenumbers
from multidict import MultiDict
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.request_validator import RequestValidator

from bot.channels.platform_api import PlatformApi
from bot.channels.platform_settings import env_field
from bot.channels.replies import Button, numbered_options, split_text
from bot.channels.webhook import (
    CountingOutput, Inbound, OnNewMessage, PlatformInput, native_recipient, platform_sender,
    resolve_numbered_reply,
)

SIGNATURE_HEADER = "X-Twilio-Signature"
MAX_TEXT = 1600  # the Messages API's limit for one message body
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


@dataclass(frozen=True)
class TwilioSettings:
    """TWILIO_* environment variables."""

    account_sid: str = env_field("TWILIO_ACCOUNT_SID")
    auth_token: str = env_field("TWILIO_AUTH_TOKEN")
    # Exactly the URL set in Twilio's console: behind a proxy the request's own URL differs.
    webhook_url: str = env_field("TWILIO_WEBHOOK_URL")
    api_base_url: str = env_field("TWILIO_API_BASE_URL", default="https://api.twilio.com")


class TwilioOutput(CountingOutput):
    """Sends replies from the number (or WhatsApp sender) the person wrote to."""

    @classmethod
    def name(cls) -> Text:
        return "twilio"

    def __init__(self, api: PlatformApi, account_sid: str, our_address: str) -> None:
        self.api = api
        self.path = f"/2010-04-01/Accounts/{account_sid}/Messages.json"
        self.our_address = our_address

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        for part in split_text(text, MAX_TEXT):
            await self.api.post(self.path, form={
                "To": native_recipient("twilio", recipient_id), "From": self.our_address, "Body": part,
            })

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Button], **kwargs: Any,
    ) -> None:
        await self.send_text_message(recipient_id, numbered_options(text, buttons))


def sender_country(form: MultiDict) -> Optional[str]:
    """The person's country, for crisis resources: Twilio's FromCountry (SMS), else the number's."""
    reported = form.get("FromCountry", "")
    if len(reported) == 2 and reported.isalpha():
        return reported.upper()
    try:
        number = phonenumbers.parse(form.get("From", "").removeprefix("whatsapp:"), None)
    except phonenumbers.NumberParseException:
        return None
    region = phonenumbers.region_code_for_number(number) or phonenumbers.region_code_for_country_code(number.country_code)
    return region if region != phonenumbers.UNKNOWN_REGION else None


def read_message(form: MultiDict) -> Optional[Inbound]:
    """The person's message in Twilio's form fields; None when a required field is missing."""
    sender, message_id = form.get("From"), form.get("MessageSid")
    if not sender or not message_id or not form.get("To"):
        return None
    body = form.get("Body", "")
    sent_something_else = form.get("NumMedia", "0") not in ("", "0") or "Latitude" in form
    text = None if sent_something_else and not body.strip() else body
    country = sender_country(form)
    return Inbound(message_id, platform_sender("twilio", sender), text, {"country": country} if country else {})


class TwilioInput(PlatformInput):
    """POST /webhooks/twilio/webhook, for both SMS and WhatsApp numbers."""

    settings_class = TwilioSettings

    @classmethod
    def name(cls) -> Text:
        return "twilio"

    def __init__(self, settings: TwilioSettings) -> None:
        super().__init__(settings)
        self.validator = RequestValidator(settings.auth_token)
        self.api = PlatformApi("Twilio", settings.api_base_url,
                               auth=aiohttp.BasicAuth(settings.account_sid, settings.auth_token))

    async def close(self) -> None:
        await self.api.close()

    def signed_form(self, request: Request) -> Optional[MultiDict]:
        """The form fields, parsed from the raw body, when Twilio signed them for our public URL."""
        form = MultiDict(parse_qsl(request.body.decode("latin-1"), keep_blank_values=True, encoding="utf-8"))
        signature = request.headers.get(SIGNATURE_HEADER, "")
        # RequestValidator compares in constant time (twilio.request_validator.compare).
        return form if signature and self.validator.validate(self.settings.webhook_url, form, signature) else None

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = self.new_blueprint()

        @blueprint.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            form = self.signed_form(request)
            if form is None:
                return self.refuse("missing or wrong X-Twilio-Signature")
            inbound = read_message(form)
            if inbound is None:
                return response.text("From, To and MessageSid are required.", status=400)
            inbound = replace(inbound, text=await resolve_numbered_reply(request, inbound.sender_id, inbound.text))
            output = TwilioOutput(self.api, self.settings.account_sid, form["To"])
            answered = await self.deliver_all([(inbound, output)], on_new_message)
            if not answered:
                return response.text("", status=500)
            return response.text(EMPTY_TWIML, content_type="text/xml")

        return blueprint
