"""Live hand-off data: waiting conversations read from Rasa's events, crisis checks, the watcher.

Conversations are written through Rasa's own SQL tracker store. Rasa's HTTP API is
played by FakeRasa, a small aiohttp server on loopback that checks the token and
applies the posted events to the same tracker store, so the console sees the
effect of what it sent; the real Rasa server is in test_live_servers.py.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import threading
import time
from dataclasses import dataclass, field
from typing import List

import aiohttp
import pytest
from aiohttp import web
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted, BotUttered, ConversationPaused, ConversationResumed, Event, Restarted, SessionStarted, UserUttered,
)

from bot.live_handoff import (
    LIVE_WAIT_LIMIT, MAX_REPLY_CHARS, RasaApi, RasaApiError, ReplyError, Sweeper,
    conversation_ref, hand_back, safety_net_check, send_staff_reply, waiting_conversation, waiting_conversations,
)
from bot.runner import services, with_auth_token
from bot.settings import Settings
from bot.tracker_store import DurableSQLTrackerStore
from tests.console.harness import save_conversation
from tests.integration.servers import free_port

TOKEN = "test-token"
CRISIS_REPLY = "Please reach a person now: call your local emergency number."


def said(text: str, intent: str = "inform", category: str = None, channel: str = "socketio") -> UserUttered:
    """A person's message as Rasa stores it; `category` is what the NLU safety net recorded."""
    parse = {"intent": {"name": intent, "confidence": 1.0}, "entities": [], "text": text}
    if category:
        parse["safety_net"] = {"category": category}
    return UserUttered(text, parse["intent"], [], parse, input_channel=channel)


def bot(text: str, **metadata) -> BotUttered:
    return BotUttered(text, metadata=metadata or None)


def asked_for_a_person() -> list:
    """A conversation that asked for a person and was paused just now (fresh timestamps)."""
    return [
        ActionExecuted("action_listen"),
        said("hi there"), bot("Hi, I'm the intake assistant."),
        said("can I talk to a real person", "request_human"),
        ActionExecuted("action_live_handoff"), bot("I've asked a member of our team to join this chat."),
        ConversationPaused(), ActionExecuted("action_listen"),
    ]


@dataclass
class FakeRasa:
    """Rasa's HTTP API, as far as the console uses it, on a loopback port in its own thread."""

    database_url: str
    calls: List[dict] = field(default_factory=list)
    fail_triggers: int = 0  # how many trigger_intent calls answer 500 before they work again
    fail_everything: bool = False

    def __post_init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._loop = asyncio.new_event_loop()
        app = web.Application()
        app.router.add_post("/conversations/{sender}/tracker/events", self._events)
        app.router.add_post("/conversations/{sender}/trigger_intent", self._trigger)
        self._runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(self._runner.setup())
        self._loop.run_until_complete(web.TCPSite(self._runner, "127.0.0.1", self.port).start())
        self._store = DurableSQLTrackerStore(domain=Domain.empty(), host=self.database_url)
        threading.Thread(target=self._loop.run_forever, daemon=True).start()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._store.engine.dispose()

    def paths(self, sender: str) -> List[str]:
        """The kinds of call made for one conversation, in order: "events:bot,resume", "trigger:express_crisis"."""
        return [call["what"] for call in self.calls if call["sender"] == sender]

    async def _append(self, sender: str, events: List[Event]) -> None:
        tracker = await self._store.retrieve(sender)
        for event in events:
            tracker.update(event)
        await self._store.save(tracker)

    async def _accept(self, request: web.Request, what: str) -> web.Response:
        self.calls.append({"sender": request.match_info["sender"], "what": what, "query": dict(request.query)})
        if request.query.get("token") != TOKEN:
            raise web.HTTPUnauthorized()
        if self.fail_everything:
            raise web.HTTPServiceUnavailable()

    async def _events(self, request: web.Request) -> web.Response:
        body = await request.json()
        await self._accept(request, "events:" + ",".join(item["event"] for item in body))
        await self._append(request.match_info["sender"], [Event.from_parameters(item) for item in body])
        return web.json_response({})

    async def _trigger(self, request: web.Request) -> web.Response:
        intent = (await request.json())["name"]
        await self._accept(request, f"trigger:{intent}")
        if self.fail_triggers:
            self.fail_triggers -= 1
            raise web.HTTPInternalServerError()
        await self._append(request.match_info["sender"], [
            UserUttered(f"/{intent}", {"name": intent, "confidence": 1.0}), bot(CRISIS_REPLY)])
        return web.json_response({})


@pytest.fixture
def rasa(database):
    running = FakeRasa(database.url)
    yield running
    running.stop()


@pytest.fixture
async def api(rasa):
    async with aiohttp.ClientSession() as http:
        yield RasaApi(rasa.url, TOKEN, http)


async def stored(database, sender: str, events: list) -> None:
    """save_conversation from an async test (it runs its own event loop)."""
    await asyncio.to_thread(save_conversation, database, sender, events)


def never_crisis(_text: str):
    return None


def waiting(database, check=never_crisis):
    return {c.sender_id: c for c in waiting_conversations(database.engine, check)}


# ---------------------------------------------------------------- reading Rasa's events

def test_a_paused_conversation_waits_with_its_turns_before_and_since_the_pause(database):
    save_conversation(database, "anna", asked_for_a_person() + [said("hello? anyone there?")])
    save_conversation(database, "ben", asked_for_a_person()[:3])  # never asked for a person
    [conversation] = waiting(database).values()
    assert conversation.sender_id == "anna" and conversation.channel == "socketio"
    assert [(t.author, t.text) for t in conversation.earlier] == [
        ("person", "hi there"), ("assistant", "Hi, I'm the intake assistant."),
        ("person", "can I talk to a real person"), ("assistant", "I've asked a member of our team to join this chat."),
    ]
    assert [(t.author, t.text) for t in conversation.since_pause] == [("person", "hello? anyone there?")]
    assert conversation.unanswered == 1 and not conversation.staff_joined
    assert abs(conversation.paused_at.timestamp() - time.time()) < 60


@pytest.mark.parametrize("ending", [ConversationResumed(), Restarted(), SessionStarted()])
def test_a_resume_a_restart_or_a_new_session_ends_the_wait(database, ending):
    save_conversation(database, "anna", asked_for_a_person() + [ending])
    assert waiting(database) == {}


def test_after_a_second_pause_only_messages_since_it_are_new(database):
    save_conversation(database, "anna", asked_for_a_person() + [
        said("first wait"), ConversationResumed(), said("and again a person please", "request_human"),
        ConversationPaused(), said("second wait"),
    ])
    conversation = waiting(database)["anna"]
    assert [t.text for t in conversation.since_pause] == ["second wait"]
    assert conversation.earlier[-1].text == "and again a person please"


def test_staff_replies_are_told_apart_and_reset_the_unanswered_count(database):
    save_conversation(database, "anna", asked_for_a_person() + [
        said("hello?"), bot("Hi, I'm Sam from the team.", sent_by="staff"), said("thanks"), said("so..."),
    ])
    conversation = waiting(database)["anna"]
    assert [t.author for t in conversation.since_pause] == ["person", "staff", "person", "person"]
    assert conversation.staff_joined and conversation.unanswered == 2


def test_a_crisis_since_the_pause_is_found_by_rasa_nlu_or_by_the_safety_net(database):
    save_conversation(database, "nlu", asked_for_a_person() + [said("…", "express_crisis", category="self_harm")])
    save_conversation(database, "net", asked_for_a_person() + [said("honestly I want to kill myself", "inform")])
    save_conversation(database, "calm", asked_for_a_person() + [said("no rush, I'll wait here", "inform")])
    conversations = waiting(database, safety_net_check)
    assert conversations["nlu"].crisis == "self_harm"
    assert conversations["net"].crisis == "suicidal"
    assert conversations["net"].since_pause[0].crisis == "suicidal"
    assert conversations["calm"].crisis is None


def test_a_crisis_answered_before_the_pause_is_not_raised_again(database):
    save_conversation(database, "anna", [said("I want to kill myself", "express_crisis", category="suicidal"),
                                         bot(CRISIS_REPLY)] + asked_for_a_person() + [said("ok")])
    assert waiting(database, safety_net_check)["anna"].crisis is None


def test_a_conversation_is_found_by_its_reference_only_while_it_waits(database):
    save_conversation(database, "+447700900123", asked_for_a_person())
    save_conversation(database, "done", asked_for_a_person() + [ConversationResumed()])
    ref = conversation_ref("+447700900123")
    assert ref not in "+447700900123" and len(ref) == 16
    assert waiting_conversation(database.engine, ref, never_crisis).sender_id == "+447700900123"
    assert waiting_conversation(database.engine, conversation_ref("done"), never_crisis) is None


def test_before_rasa_has_stored_anything_nobody_waits(database):
    assert waiting_conversations(database.engine, never_crisis) == []
    assert waiting_conversation(database.engine, conversation_ref("x"), never_crisis) is None


# ---------------------------------------------------------------- Rasa's HTTP API

async def test_a_staff_reply_lands_in_the_tracker_as_a_bot_message_marked_as_staff(database, rasa, api):
    await stored(database, "anna", asked_for_a_person())
    await send_staff_reply(api, "anna", "  Hi, I'm Sam from the team.  ")
    [call] = rasa.calls
    assert call["what"] == "events:bot"
    assert call["query"] == {"execute_side_effects": "true", "output_channel": "latest", "token": TOKEN}
    [reply] = waiting(database)["anna"].since_pause
    assert (reply.author, reply.text) == ("staff", "Hi, I'm Sam from the team.")


@pytest.mark.parametrize("text, reason", [
    ("   ", "Write a reply"),
    ("x" * (MAX_REPLY_CHARS + 1), f"at most {MAX_REPLY_CHARS} characters; this one has {MAX_REPLY_CHARS + 1}"),
])
async def test_an_empty_or_overlong_reply_is_refused_before_anything_is_sent(rasa, api, text, reason):
    with pytest.raises(ReplyError, match=reason):
        await send_staff_reply(api, "anna", text)
    assert rasa.calls == []


async def test_handing_back_says_the_assistant_is_back_and_resumes(database, rasa, api):
    await stored(database, "anna", asked_for_a_person())
    await hand_back(api, "anna")
    assert rasa.paths("anna") == ["events:bot,resume"]
    assert waiting(database) == {}


async def test_without_a_token_or_with_a_wrong_one_nothing_is_sent_and_the_reason_is_clear(rasa):
    async with aiohttp.ClientSession() as http:
        with pytest.raises(RasaApiError, match="set RASA_AUTH_TOKEN"):
            await hand_back(RasaApi(rasa.url, None, http), "anna")
        with pytest.raises(RasaApiError, match="Rasa answered HTTP 401"):
            await hand_back(RasaApi(rasa.url, "wrong", http), "anna")
        with pytest.raises(RasaApiError, match="could not be reached"):
            await hand_back(RasaApi(f"http://127.0.0.1:{free_port()}", TOKEN, http), "anna")


# ---------------------------------------------------------------- the watcher

async def test_a_crisis_while_paused_resumes_the_conversation_and_triggers_the_crisis_response(database, rasa, api):
    await stored(database, "anna", asked_for_a_person() + [said("I can't go on, I want to end my life")])
    await stored(database, "ben", asked_for_a_person() + [said("still here")])
    actions = await Sweeper(database.engine, api, safety_net_check).sweep(dt.datetime.now(dt.timezone.utc))
    assert [(a.sender_id, a.action, a.category) for a in actions] == [("anna", "crisis_escalated", "suicidal")]
    assert rasa.paths("anna") == ["events:resume", "trigger:express_crisis"]
    assert rasa.calls[-1]["query"] == {"output_channel": "latest", "token": TOKEN}
    assert rasa.paths("ben") == []
    assert set(waiting(database)) == {"ben"}


async def test_a_failed_crisis_response_is_retried_on_the_next_pass(database, rasa, api):
    await stored(database, "anna", asked_for_a_person() + [said("I took an overdose", "express_crisis",
                                                                   category="overdose_medical")])
    rasa.fail_triggers = 1
    sweeper = Sweeper(database.engine, api, safety_net_check)
    now = dt.datetime.now(dt.timezone.utc)
    assert await sweeper.sweep(now) == []
    assert waiting(database) == {}  # resumed, so only the sweeper remembers it
    [action] = await sweeper.sweep(now)
    assert (action.sender_id, action.action) == ("anna", "crisis_escalated")
    assert rasa.paths("anna") == ["events:resume", "trigger:express_crisis", "trigger:express_crisis"]
    assert await sweeper.sweep(now) == []


async def test_a_conversation_nobody_joined_in_time_goes_back_to_the_assistant(database, rasa, api):
    await stored(database, "alone", asked_for_a_person())
    await stored(database, "helped", asked_for_a_person() + [bot("Hi, I'm Sam.", sent_by="staff")])
    sweeper = Sweeper(database.engine, api, safety_net_check)
    now = dt.datetime.now(dt.timezone.utc)
    assert await sweeper.sweep(now + LIVE_WAIT_LIMIT - dt.timedelta(minutes=1)) == []
    [action] = await sweeper.sweep(now + LIVE_WAIT_LIMIT + dt.timedelta(seconds=1))
    assert (action.sender_id, action.action) == ("alone", "timed_out")
    assert rasa.paths("alone") == ["events:bot,resume"]
    assert set(waiting(database)) == {"helped"}


async def test_when_rasa_is_down_the_watcher_keeps_the_crisis_for_the_next_pass(database, rasa, api):
    await stored(database, "anna", asked_for_a_person() + [said("I want to kill myself", "express_crisis")])
    rasa.fail_everything = True
    sweeper = Sweeper(database.engine, api, safety_net_check)
    assert await sweeper.sweep(dt.datetime.now(dt.timezone.utc)) == []
    assert waiting(database, safety_net_check)["anna"].crisis == "crisis"
    rasa.fail_everything = False
    [action] = await sweeper.sweep(dt.datetime.now(dt.timezone.utc))
    assert action.action == "crisis_escalated"



def test_make_run_always_gives_rasa_an_api_token_random_unless_one_is_set():
    generated = with_auth_token(Settings.from_env({}))
    assert len(generated.rasa_auth_token) >= 40
    assert with_auth_token(Settings.from_env({})).rasa_auth_token != generated.rasa_auth_token
    assert with_auth_token(Settings.from_env({"RASA_AUTH_TOKEN": "chosen"})).rasa_auth_token == "chosen"
    rasa = next(service for service in services(generated) if service.name == "rasa")
    assert rasa.argv[-2:] == ["--enable-api", f"--auth-token={generated.rasa_auth_token}"]
