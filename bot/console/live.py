"""Live hand-off pages (waiting conversations, staff replies, hand-back) and the crisis watcher.

While a conversation waits for staff, Rasa is paused and answers nothing. The
watcher (`watch_waiting_conversations`, started with the app) checks every waiting
conversation every few seconds: a crisis message resumes it and triggers the
crisis response, and a conversation nobody joined within LIVE_WAIT_LIMIT goes back
to the assistant. Both are audited with the actor SYSTEM_ACTOR.
"""
from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime as dt
import logging
from typing import AsyncIterator, List, Optional

import aiohttp
import aiohttp_jinja2
import sqlalchemy as sa
from aiohttp import web
from sqlalchemy.orm import Session, sessionmaker

from bot.console.access import admin_only
from bot.console.audit import audit, record_audit
from bot.console.clock import utcnow
from bot.console.storage import DATABASE, database, in_transaction
from bot.live_handoff import (
    LIVE_WAIT_LIMIT, MAX_REPLY_CHARS, RasaApi, RasaApiError, ReplyError, SweepAction, Sweeper,
    WaitingConversation, conversation_ref, hand_back, load_safety_net, safety_net_check, send_staff_reply, waiting_conversation,
    waiting_conversations, waiting_sender,
)
from bot.models import AuditEntry
from bot.opening_hours import OpeningHours
from bot.redaction import redact
from bot.settings import Settings

log = logging.getLogger(__name__)

routes = web.RouteTableDef()

RASA_API = web.AppKey("rasa_api", RasaApi)
OPENING_HOURS = web.AppKey("opening_hours", OpeningHours)
SWEEP_SECONDS = 5.0
SYSTEM_ACTOR = "system (live hand-off watcher)"
RECENT = dt.timedelta(hours=24)
REF = "{ref}"  # any text: it is only ever compared with the references of waiting conversations
# Audit actions; the watcher's two are also listed on the live page.
REPLY, HAND_BACK, CRISIS_RESUMED, TIMED_OUT = "live_reply", "live_hand_back", "live_crisis_resume", "live_timeout"
HANDED_BACK = (HAND_BACK, CRISIS_RESUMED, TIMED_OUT)
SWEEP_AUDIT = {"crisis_escalated": CRISIS_RESUMED, "timed_out": TIMED_OUT}
DONE_MESSAGES = {
    "reply": "Your reply was sent.",
    "hand_back": "The conversation is back with the assistant.",
}
API_OFF = "Rasa's HTTP API is not configured (RASA_AUTH_TOKEN), so replies and the crisis watcher are off."


def _target(ref: str) -> str:
    return f"conversation:{ref}"


# ---------------------------------------------------------------- the watcher

async def _record_sweep(sessions: sessionmaker, actions: List[SweepAction]) -> None:
    def work() -> None:
        with sessions() as session, session.begin():
            for action in actions:
                detail = f" {action.category}" if action.category else ""
                record_audit(session, SYSTEM_ACTOR, SWEEP_AUDIT[action.action],
                             f"{_target(conversation_ref(action.sender_id))}{detail}", "")

    await asyncio.to_thread(work)


async def _keep_sweeping(app: web.Application, sweeper: Sweeper) -> None:
    sessions = app[DATABASE].sessions
    while True:
        try:
            await asyncio.to_thread(load_safety_net)  # loaded before the first message needs it, then cached
            actions = await sweeper.sweep(dt.datetime.now(dt.timezone.utc))
            if actions:
                await _record_sweep(sessions, actions)
        except Exception as error:  # noqa: BLE001 - the watcher must outlive any one failure
            log.critical("The live hand-off watcher failed a pass (%s); retrying", type(error).__name__)
        await asyncio.sleep(SWEEP_SECONDS)


async def watch_waiting_conversations(app: web.Application) -> AsyncIterator[None]:
    """Cleanup context: the Rasa API client and the crisis watcher live as long as the app."""
    from bot.console.app import SETTINGS  # app.py imports this module to register its routes

    settings: Settings = app[SETTINGS]
    app[OPENING_HOURS] = settings.opening_hours
    async with aiohttp.ClientSession() as http:
        api = RasaApi(f"http://127.0.0.1:{settings.rasa_port}", settings.rasa_auth_token, http)
        app[RASA_API] = api
        task: Optional[asyncio.Task] = None
        if settings.rasa_auth_token:
            sweeper = Sweeper(app[DATABASE].engine, api, safety_net_check)
            task = asyncio.create_task(_keep_sweeping(app, sweeper))
        else:
            log.warning(API_OFF)
        yield
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


# ---------------------------------------------------------------- pages

def _masked(conversation: WaitingConversation) -> WaitingConversation:
    def mask(turns: tuple) -> tuple:
        return tuple(dataclasses.replace(turn, text=redact(turn.text)) for turn in turns)

    return dataclasses.replace(conversation, earlier=mask(conversation.earlier), since_pause=mask(conversation.since_pause))


def _recent_hand_backs(session: Session) -> list:
    query = (
        sa.select(AuditEntry.at, AuditEntry.action, AuditEntry.target)
        .where(AuditEntry.action.in_(HANDED_BACK), AuditEntry.at >= utcnow() - RECENT)
        .order_by(AuditEntry.at.desc())
    )
    return [dict(row._mapping) for row in session.execute(query)]


def _last_hand_back(session: Session, ref: str) -> Optional[str]:
    query = (
        sa.select(AuditEntry.action)
        .where(AuditEntry.action.in_(HANDED_BACK), AuditEntry.target.startswith(_target(ref)))
        .order_by(AuditEntry.id.desc()).limit(1)
    )
    return session.scalar(query)


@routes.get("/live", name="live")
async def live(request: web.Request) -> web.Response:
    """Conversations waiting for staff, crisis first, then longest waiting; and recent hand-backs."""
    engine = database(request).engine
    conversations = await asyncio.to_thread(waiting_conversations, engine, safety_net_check)
    conversations.sort(key=lambda conversation: conversation.crisis is None)
    hours = request.app[OPENING_HOURS]
    now = dt.datetime.now(dt.timezone.utc)
    context = {
        "conversations": conversations, "now": now, "hours": hours, "open_now": hours.is_open(now),
        "recent": await in_transaction(request, _recent_hand_backs),
        "api_off": "" if request.app[RASA_API].configured else API_OFF,
        "wait_limit_minutes": int(LIVE_WAIT_LIMIT.total_seconds() // 60),
        "done": DONE_MESSAGES.get(request.query.get("done", ""), ""),
    }
    return aiohttp_jinja2.render_template("live_list.html", request, context)


async def render_conversation(request: web.Request, *, reveal: bool = False, error: str = "", draft: str = "",
                              status: int = 200) -> web.Response:
    """One waiting conversation with its reply form; personal data masked unless `reveal`."""
    ref = request.match_info["ref"]
    conversation = await asyncio.to_thread(waiting_conversation, database(request).engine, ref, safety_net_check)
    if conversation is None:
        last = await in_transaction(request, lambda session: _last_hand_back(session, ref))
        context = {"ref": ref, "crisis_resumed": last == CRISIS_RESUMED, "draft": draft}
        return aiohttp_jinja2.render_template("live_gone.html", request, context, status=409 if draft else 404)
    if not reveal:
        conversation = await asyncio.to_thread(_masked, conversation)
    context = {
        "conversation": conversation, "revealed": reveal, "error": error, "draft": draft,
        "max_reply": MAX_REPLY_CHARS, "now": dt.datetime.now(dt.timezone.utc),
        "api_off": not request.app[RASA_API].configured,
        "done": DONE_MESSAGES.get(request.query.get("done", ""), ""),
    }
    return aiohttp_jinja2.render_template("live_conversation.html", request, context, status=status)


@routes.get(f"/live/{REF}", name="live_conversation")
async def conversation_page(request: web.Request) -> web.Response:
    """A waiting conversation, redacted (audited as a view)."""
    response = await render_conversation(request)
    await audit(request, "view", _target(request.match_info["ref"]))
    return response


@routes.get(f"/live/{REF}/reveal", name="live_reveal")
@admin_only
async def reveal(request: web.Request) -> web.Response:
    """A waiting conversation with personal data shown (admins only; audited as a reveal)."""
    response = await render_conversation(request, reveal=True)
    await audit(request, "reveal", _target(request.match_info["ref"]))
    return response


async def _waiting_sender(request: web.Request) -> Optional[str]:
    return await asyncio.to_thread(waiting_sender, database(request).engine, request.match_info["ref"])


@routes.post(f"/live/{REF}/reply", name="live_reply")
async def reply(request: web.Request) -> web.Response:
    """Send a staff reply into the person's channel; a refused reply is shown again, nothing lost."""
    ref = request.match_info["ref"]
    text = str((await request.post()).get("text", ""))
    sender_id = await _waiting_sender(request)
    if sender_id is None:
        return await render_conversation(request, draft=text)
    try:
        await send_staff_reply(request.app[RASA_API], sender_id, text)
    except ReplyError as problem:
        return await render_conversation(request, error=str(problem), draft=text, status=400)
    except RasaApiError as problem:
        return await render_conversation(request, error=f"The reply was not sent: {problem}", draft=text, status=502)
    await audit(request, REPLY, _target(ref))
    raise web.HTTPSeeOther(f"/live/{ref}?done=reply")


@routes.post(f"/live/{REF}/hand-back", name="live_hand_back")
async def hand_back_to_assistant(request: web.Request) -> web.Response:
    """Tell the person the assistant is back and resume the conversation."""
    ref = request.match_info["ref"]
    sender_id = await _waiting_sender(request)
    if sender_id is None:
        return await render_conversation(request)
    try:
        await hand_back(request.app[RASA_API], sender_id)
    except RasaApiError as problem:
        return await render_conversation(request, error=f"The conversation was not handed back: {problem}", status=502)
    await audit(request, HAND_BACK, _target(ref))
    raise web.HTTPSeeOther("/live?done=hand_back")
