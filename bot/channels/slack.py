"""Slack: Rasa's signing-secret check (raw body, five-minute replay window), direct messages only.

Rasa's check is kept; what changes: a failed check gets 403 (not 400), a retried
event is processed once, the API URL is configurable, and only direct messages
are read, as a health conversation does not belong in a shared channel.
"""
from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any, Coroutine, Dict, Optional, Set, Text, Tuple
from urllib.parse import parse_qsl

from rasa.core.channels.slack import SlackBot, SlackInput as RasaSlackInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

from bot.channels.platform_settings import env_field
from bot.channels.webhook import (
    CountingOutput, Inbound, OnNewMessage, PlatformInput, json_object, member, platform_sender,
)

logger = logging.getLogger(__name__)

DIRECT_MESSAGE_CHANNEL_PREFIX = "D"


@dataclass(frozen=True)
class SlackSettings:
    """SLACK_* environment variables."""

    bot_token: str = env_field("SLACK_BOT_TOKEN")
    signing_secret: str = env_field("SLACK_SIGNING_SECRET")
    api_base_url: str = env_field("SLACK_API_BASE_URL", default="https://slack.com/api/")


class SlackOutput(CountingOutput, SlackBot):
    """Rasa's Slack sender (buttons as Block Kit buttons), posting to one direct-message channel."""

    def __init__(self, settings: SlackSettings, channel: str) -> None:
        SlackBot.__init__(self, settings.bot_token, slack_channel=channel)
        base_url = settings.api_base_url if settings.api_base_url.endswith("/") else settings.api_base_url + "/"
        self.client = AsyncWebClient(settings.bot_token, base_url=base_url)


class SlackInput(PlatformInput, RasaSlackInput):
    """POST /webhooks/slack/webhook: the Events API and interactivity (button clicks)."""

    settings_class = SlackSettings

    @classmethod
    def name(cls) -> Text:
        return "slack"

    def __init__(self, settings: SlackSettings) -> None:
        RasaSlackInput.__init__(self, slack_token=settings.bot_token, slack_signing_secret=settings.signing_secret)
        PlatformInput.__init__(self, settings)
        self._tasks: Set[asyncio.Task] = set()

    def get_output_channel(self, channel: Optional[Text] = None, thread_id: Optional[Text] = None) -> None:
        """No messages without a conversation: replies go to the direct-message channel they came from."""
        return None

    def read_event(self, envelope: Dict[str, Any]) -> Optional[Tuple[Inbound, str]]:
        """A person's direct message in an Events API envelope, and the channel to answer in."""
        event = member(envelope, "event")
        if envelope.get("type") != "event_callback" or event.get("channel_type") != "im" or event.get("subtype"):
            return None
        if not self._is_user_message(envelope):
            return None  # the assistant's own messages come back as events too
        event_id, user, channel = envelope.get("event_id"), event.get("user"), event.get("channel")
        if not (event_id and user and channel):
            return None
        own_ids = [found["user_id"] for found in envelope.get("authorizations") or []
                   if isinstance(found, dict) and found.get("user_id")]
        text = self._sanitize_user_message(event["text"], own_ids)
        return Inbound(str(event_id), platform_sender("slack", user), text), channel

    def read_interaction(self, raw_body: bytes) -> Optional[Tuple[Inbound, str]]:
        """A button click in a direct-message channel, and the channel to answer in."""
        fields = dict(parse_qsl(raw_body.decode("latin-1"), encoding="utf-8"))
        payload = json_object(fields.get("payload", "").encode())
        if payload is None or not self._is_interactive_message(payload):
            return None
        action = payload["actions"][0]
        text = self._get_interactive_response(action)
        user, channel = member(payload, "user").get("id"), member(payload, "channel").get("id")
        click_id = payload.get("trigger_id") or action.get("action_ts")
        if not (text and user and click_id and isinstance(channel, str)):
            return None
        if not channel.startswith(DIRECT_MESSAGE_CHANNEL_PREFIX):
            return None
        return Inbound(str(click_id), platform_sender("slack", user), text), channel

    def _in_background(self, work: Coroutine) -> None:
        # Slack wants an answer within three seconds; keep a reference so the task is not collected.
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = self.new_blueprint()

        @blueprint.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            if not self.is_request_from_slack_authentic(request):
                return self.refuse("missing, wrong or stale X-Slack-Signature")
            content_type = request.headers.get("content-type", "").split(";")[0].strip()
            if content_type == "application/x-www-form-urlencoded":
                found = self.read_interaction(request.body)
            else:
                envelope = json_object(request.body)
                if envelope is None:
                    return response.text("The body must be a Slack event (a JSON object).", status=400)
                if envelope.get("type") == "url_verification":
                    return response.json({"challenge": envelope.get("challenge")})
                found = self.read_event(envelope)
            if found is not None:
                inbound, channel = found
                self._in_background(self.deliver_all([(inbound, SlackOutput(self.settings, channel))], on_new_message))
            return response.text("")

        return blueprint
