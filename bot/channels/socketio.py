"""Rasa's socket.io channel for the web widget, with session persistence that delivers replies.

Rasa 3.6.21 calls python-socketio's `enter_room` without awaiting it; since
python-socketio 5.10 that is a coroutine, so the socket never joins the
session's room and every reply is lost (Rasa issue 13027). This channel
replaces the two handlers concerned and, while at it, binds each socket to the
one session it joined, answers each message as every channel does
(bot/channels/turn.py), sends custom JSON (a group's calendar file) as a bot
message, and tells the widget when an answer is complete.
"""
from __future__ import annotations

import json
import re
import uuid
from typing import Any, Dict, Optional, Text

from rasa.core.channels.channel import OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketIOInput, SocketIOOutput
from sanic import Blueprint

from bot.channels.shared_rooms import share_rooms
from bot.channels.turn import OnNewMessage, TurnHandler
from bot.settings import Settings

# Sent to the session once the assistant has finished answering a message.
TURN_COMPLETE_EVT = "turn_complete"
# A client's own session id: long enough to hold 128 random bits (base64url or hex), safe as a sender id.
_SESSION_ID = re.compile(r"^[A-Za-z0-9_-]{22,128}$")
# The only metadata a visitor's browser may pass on: what action_session_start reads.
VISITOR_METADATA_KEYS = ("country", "locale")
_MAX_METADATA_VALUE = 35


def valid_session_id(value: Any) -> bool:
    """True for a client-chosen session id long and plain enough to accept."""
    return isinstance(value, str) and bool(_SESSION_ID.match(value))


def visitor_metadata(raw: Any) -> Dict[Text, Text]:
    """The visitor's country and locale from a message's metadata; everything else is dropped."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return {}
    if not isinstance(raw, dict):
        return {}
    kept = {}
    for key in VISITOR_METADATA_KEYS:
        value = raw.get(key)
        if isinstance(value, str) and 0 < len(value.strip()) <= _MAX_METADATA_VALUE:
            kept[key] = value.strip()
    return kept


class WidgetOutput(SocketIOOutput):
    """Rasa's socket.io output, counting what it sends, with custom JSON as a bot message."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sent = 0

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        self.sent += 1
        await super()._send_message(socket_id, response)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any) -> None:
        # Rasa's version spreads the JSON into emit()'s keyword arguments, which
        # fails for anything but emit's own (e.g. the calendar file of a chosen group).
        await self._send_message(recipient_id, {"custom": json_message})


class PersistentSocketIOInput(SocketIOInput):
    """socket.io as Rasa's, but a session's socket really joins its room, a socket
    only speaks for the session it joined, every message is cleaned and answered,
    and `turn_complete` marks the end of each answer."""

    def get_output_channel(self) -> Optional[OutputChannel]:
        """The output for messages Rasa sends on its own (reminders, staff replies)."""
        if self.sio is None:
            return super().get_output_channel()  # Rasa's warning about several workers, and None
        return WidgetOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = super().blueprint(on_new_message)
        turns = TurnHandler.for_server()
        share_rooms(self.sio, Settings.from_env().redis_url)  # with several Rasa processes, emits reach every socket
        sio = self.sio
        namespace = self.namespace

        async def join(sid: Text, requested: Any) -> Text:
            """Put the socket in the requested session (a fresh one if that id is unusable)."""
            session_id = requested if valid_session_id(requested) else uuid.uuid4().hex
            if self.session_persistence:
                previous = (await sio.get_session(sid, namespace=namespace)).get("session_id")
                if previous and previous != session_id:
                    await sio.leave_room(sid, previous, namespace=namespace)
                await sio.enter_room(sid, session_id, namespace=namespace)
            await sio.save_session(sid, {"session_id": session_id}, namespace=namespace)
            return session_id

        async def session_request(sid: Text, data: Any) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            session_id = await join(sid, requested)
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)

        async def handle_message(sid: Text, data: Any) -> None:
            data = data if isinstance(data, dict) else {}
            session_id = (await sio.get_session(sid, namespace=namespace)).get("session_id")
            if session_id is None:
                # A client that sends without asking for a session first, as Rasa allows.
                session_id = await join(sid, data.get("session_id"))
            recipient = session_id if self.session_persistence else sid
            output = WidgetOutput(sio, self.bot_message_evt)
            message = UserMessage(None, output, recipient, input_channel=self.name(),
                                  metadata=visitor_metadata(data.get(self.metadata_key)))
            try:
                await turns.answer(message, data.get("message"), on_new_message, lambda: output.sent)
            finally:
                await sio.emit(TURN_COMPLETE_EVT, room=recipient, namespace=namespace)

        sio.on("session_request", session_request, namespace=namespace)
        sio.on(self.user_message_evt, handle_message, namespace=namespace)
        return blueprint
