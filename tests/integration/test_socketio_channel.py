"""The widget's socket.io channel against the real Rasa and action servers."""
from __future__ import annotations

import asyncio
import secrets
from typing import Any, Dict, List, Optional

import pytest
import socketio

from bot.input_guard import EMPTY_NOTICE

pytestmark = pytest.mark.integration

REPLY_TIMEOUT_SECONDS = 60


class WidgetClient:
    """A socket.io client that talks to Rasa the way the web widget does."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.sio = socketio.AsyncClient(reconnection=False)
        self.replies: List[Dict[str, Any]] = []
        self.session_id: Optional[str] = None
        self._confirmed: asyncio.Queue = asyncio.Queue()
        self._turns: asyncio.Queue = asyncio.Queue()
        self.sio.on("session_confirm", self._confirmed.put)
        self.sio.on("bot_uttered", self.replies.append)
        self.sio.on("turn_complete", lambda *_: self._turns.put_nowait(True))

    async def open(self, session_id: Any) -> str:
        """Connect and ask for a session; the id the server confirmed."""
        # Long-polling only: engineio's websocket client needs a newer aiohttp than Rasa's pin.
        await self.sio.connect(self.url, socketio_path="/socket.io", transports=["polling"])
        await self.sio.emit("session_request", {"session_id": session_id})
        self.session_id = await asyncio.wait_for(self._confirmed.get(), REPLY_TIMEOUT_SECONDS)
        return self.session_id

    async def send(self, text: Any, metadata: Any = None, session_id: Optional[str] = None) -> None:
        await self.sio.emit("user_uttered", {
            "message": text, "session_id": session_id or self.session_id, "metadata": metadata or {},
        })

    async def say(self, text: Any, metadata: Any = None, session_id: Optional[str] = None) -> List[str]:
        """Send a message; the texts of the answer, once the server says the turn is complete."""
        start = len(self.replies)
        await self.send(text, metadata, session_id)
        await self.wait_for_turn()
        return [reply.get("text", "") for reply in self.replies[start:]]

    async def wait_for_turn(self) -> None:
        await asyncio.wait_for(self._turns.get(), REPLY_TIMEOUT_SECONDS)

    async def wait_for_reply(self) -> Dict[str, Any]:
        """The first reply to arrive, whatever marks the end of the turn."""
        deadline = asyncio.get_running_loop().time() + REPLY_TIMEOUT_SECONDS
        while not self.replies:
            assert asyncio.get_running_loop().time() < deadline, "no reply reached the socket"
            await asyncio.sleep(0.05)
        return self.replies[0]

    async def close(self) -> None:
        """Leave at once; a polling client would otherwise wait for the server's next ping (25 s)."""
        if not self.sio.connected:
            return
        loops = [task for task in (self.sio.eio.read_loop_task, self.sio.eio.write_loop_task) if task]
        await self.sio.eio.disconnect(abort=True)
        for task in loops:
            task.cancel()
        await asyncio.gather(*loops, return_exceptions=True)


@pytest.fixture
async def connect(servers):
    """Opens widget clients on the real Rasa server and closes them after the test."""
    clients: List[WidgetClient] = []

    async def open_client(session_id: Any = None) -> WidgetClient:
        client = WidgetClient(f"http://127.0.0.1:{servers.settings.rasa_port}")
        clients.append(client)
        await client.open(session_id)
        return client

    yield open_client
    for client in clients:
        await client.close()


def new_session_id() -> str:
    return secrets.token_hex(16)


async def test_replies_reach_a_persistent_session_with_their_quick_replies(connect):
    """Rasa issue 13027: with Rasa's own channel nothing ever comes back."""
    client = await connect(new_session_id())
    await client.send("hi")
    first = await client.wait_for_reply()
    assert "intake assistant" in first["text"]
    await client.wait_for_turn()
    consent = client.replies[-1]
    assert "save a short summary" in consent["text"]
    assert [(b["title"], b["payload"]) for b in consent["quick_replies"]] == [
        ("Yes, that's OK", "/affirm"), ("No, don't save it", "/deny"),
    ]


async def test_a_new_socket_with_the_same_session_id_carries_on_the_conversation(connect):
    session_id = new_session_id()
    before_reload = await connect(session_id)
    assert any("save a short summary" in text for text in await before_reload.say("hello"))
    await before_reload.close()

    after_reload = await connect(session_id)
    assert after_reload.session_id == session_id
    assert "Thank you. You can ask me to delete it at any time." in await after_reload.say("/affirm")


@pytest.mark.parametrize("metadata, helpline", [
    ({"locale": "en-GB"}, "Samaritans on 116 123"),
    ({"country": "au", "locale": "en-US"}, "Lifeline on 13 11 14"),
])
async def test_the_visitors_country_from_metadata_chooses_the_crisis_helpline(connect, metadata, helpline):
    client = await connect(new_session_id())
    replies = await client.say("I want to end my life", metadata)
    assert any(helpline in text for text in replies)


async def test_an_unusable_session_id_is_replaced_by_an_unguessable_one(connect):
    client = await connect("1234")
    assert client.session_id != "1234" and len(client.session_id) == 32
    assert any("intake assistant" in text for text in await client.say("hi"))


async def test_a_socket_only_speaks_for_the_session_it_joined(connect):
    victim = await connect(new_session_id())
    intruder = await connect(new_session_id())
    replies = await intruder.say("hi", session_id=victim.session_id)
    assert replies[0].startswith("Hi, I'm the intake assistant")
    assert victim.replies == []


@pytest.mark.parametrize("message, metadata", [("   ", None), (None, "not json")])
async def test_an_empty_message_with_junk_metadata_gets_a_clear_answer(connect, message, metadata):
    client = await connect(new_session_id())
    assert await client.say(message, metadata) == [EMPTY_NOTICE]
