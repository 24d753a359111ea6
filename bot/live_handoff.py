"""Live hand-off: a person asks for a human, the bot pauses and staff answer from the console.

Rasa side: during opening hours `action_live_handoff` says a staff member will
join and pauses the conversation (ConversationPaused); outside them it says when
someone can chat, and the conversation carries on.

Console side: Rasa has no API that lists conversations, so waiting ones are read
from its `events` table: a conversation waits when the latest of its pause,
resume, restart and session-start events is a pause. Staff replies, the hand-back
and the crisis escalation go through Rasa's HTTP API, so they reach the person's
channel and the tracker.

Safety: while a conversation is paused Rasa predicts nothing, so a crisis message
would get no reply. Every message since the pause is checked (Rasa's NLU verdict,
which includes the safety net, and the safety net again here); a hit resumes the
conversation and triggers `express_crisis`, so the person gets the crisis reply
and the crisis action flags the intake for urgent review.
"""
from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import quote

import aiohttp
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from bot.console.transcript import (
    EVENTS, STAFF_METADATA, event_data, event_rows, has_events_table, speaker_of, turn_events_of,
)
from bot.opening_hours import OpeningHours

if TYPE_CHECKING:
    from bot.safety import SafetyNet

logger = logging.getLogger(__name__)

CRISIS_INTENT = "express_crisis"
# Nobody answered within this time: the assistant takes the conversation back.
LIVE_WAIT_LIMIT = dt.timedelta(minutes=10)
MAX_REPLY_CHARS = 2000
EARLIER_TURNS = 20
RASA_TIMEOUT_SECONDS = 30

BACK_TO_ASSISTANT = (
    "You're back with the automated assistant now. I'm here if you'd like to carry on, "
    "and you can ask for a person again at any time."
)
NOBODY_FREE = (
    "I'm sorry, nobody from our team could join just now. You're back with the automated "
    "assistant. You can call us on 0800 000 0000 (weekdays 9am to 5pm), or ask me to find a group."
)

# A function that says whether a message suggests a crisis: its category, or None.
CrisisCheck = Callable[[str], Optional[str]]

# The events that set or clear Rasa's paused flag (a restart and a new session clear it).
_PAUSE_STATE_EVENTS = ("pause", "resume", "restart", "session_started")
# What the live view calls the transcript's speakers.
_AUTHORS = {"user": "person", "bot": "assistant", "staff": "staff"}


# ---------------------------------------------------------------- the Rasa side

@dataclass(frozen=True)
class HandoffPlan:
    """What action_live_handoff says (a key of bot/resources/messages.yml) and whether it pauses."""

    message: str
    fields: Mapping[str, str] = field(default_factory=dict)
    pause: bool = False


def plan_handoff(hours: OpeningHours, now: dt.datetime) -> HandoffPlan:
    """Staff join during opening hours; otherwise the person is told when they can."""
    if hours.is_open(now):
        return HandoffPlan("live_handoff_joining", pause=True)
    when = hours.describe_next_opening(now)
    if when is None:
        return HandoffPlan("live_handoff_unavailable")
    return HandoffPlan("live_handoff_closed", {"when": when})


# ------------------------------------------------ waiting conversations (read)

def conversation_ref(sender_id: str) -> str:
    """A pseudonymous reference for URLs and the audit log: sender ids can be phone numbers."""
    return hashlib.sha256(sender_id.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Turn:
    """One message of a waiting conversation; `author` is person, assistant or staff."""

    event_id: int
    author: str
    text: str
    at: dt.datetime
    crisis: Optional[str] = None  # the crisis category, for a person's message since the pause


@dataclass(frozen=True)
class WaitingConversation:
    """A paused conversation: the turns before the pause and everything since."""

    sender_id: str
    paused_at: dt.datetime
    channel: str
    earlier: Tuple[Turn, ...]
    since_pause: Tuple[Turn, ...]

    @property
    def ref(self) -> str:
        return conversation_ref(self.sender_id)

    @property
    def crisis(self) -> Optional[str]:
        """The category of the first crisis message since the pause, if any."""
        return next((turn.crisis for turn in self.since_pause if turn.crisis), None)

    @property
    def staff_joined(self) -> bool:
        return any(turn.author == "staff" for turn in self.since_pause)

    @property
    def unanswered(self) -> int:
        """The person's messages since the latest staff reply (or the pause)."""
        count = 0
        for turn in self.since_pause:
            count = 0 if turn.author == "staff" else count + (turn.author == "person")
        return count

    def timed_out(self, now: dt.datetime) -> bool:
        """True when nobody from staff replied within LIVE_WAIT_LIMIT."""
        return not self.staff_joined and now - self.paused_at >= LIVE_WAIT_LIMIT


def _moment(timestamp: Optional[float]) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp or 0, tz=dt.timezone.utc)


def _paused(engine: Engine) -> List[sa.engine.Row]:
    """(sender_id, id, timestamp) of each conversation whose latest pause-state event is a pause."""
    latest = (
        sa.select(EVENTS.c.sender_id, sa.func.max(EVENTS.c.id).label("last_id"))
        .where(EVENTS.c.type_name.in_(_PAUSE_STATE_EVENTS))
        .group_by(EVENTS.c.sender_id)
        .subquery()
    )
    query = (
        sa.select(EVENTS.c.sender_id, EVENTS.c.id, EVENTS.c.timestamp)
        .select_from(EVENTS.join(latest, EVENTS.c.id == latest.c.last_id))
        .where(EVENTS.c.type_name == "pause")
        .order_by(EVENTS.c.id)
    )
    return event_rows(engine, query)


def _turn_rows(engine: Engine, sender_id: str, pause_id: int, since_pause: bool) -> List[sa.engine.Row]:
    query = sa.select(EVENTS.c.id, EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.intent_name, EVENTS.c.data).where(
        turn_events_of(sender_id)
    )
    if since_pause:
        return event_rows(engine, query.where(EVENTS.c.id > pause_id).order_by(EVENTS.c.id))
    earlier = event_rows(engine, query.where(EVENTS.c.id < pause_id).order_by(EVENTS.c.id.desc()).limit(EARLIER_TURNS))
    return earlier[::-1]


def _crisis_of(row: sa.engine.Row, data: Dict[str, Any], check: CrisisCheck) -> Optional[str]:
    """Rasa's NLU verdict first (it includes the safety net), then the safety net here."""
    parse_data = data.get("parse_data") or {}
    if row.intent_name == CRISIS_INTENT:
        return (parse_data.get("safety_net") or {}).get("category") or "crisis"
    return check(data.get("text") or "")


def _turn(row: sa.engine.Row, check: Optional[CrisisCheck]) -> Turn:
    data = event_data(row.data)
    author = _AUTHORS[speaker_of(row.type_name, data)]
    crisis = _crisis_of(row, data, check) if check is not None and author == "person" else None
    return Turn(row.id, author, data.get("text") or "", _moment(row.timestamp), crisis)


def _channel(engine: Engine, sender_id: str) -> str:
    query = (
        sa.select(EVENTS.c.data)
        .where(EVENTS.c.sender_id == sender_id, EVENTS.c.type_name == "user")
        .order_by(EVENTS.c.id.desc()).limit(1)
    )
    rows = event_rows(engine, query)
    return str(event_data(rows[0].data).get("input_channel") or "") if rows else ""


def _conversation(engine: Engine, paused: sa.engine.Row, check: CrisisCheck) -> WaitingConversation:
    return WaitingConversation(
        sender_id=paused.sender_id,
        paused_at=_moment(paused.timestamp),
        channel=_channel(engine, paused.sender_id),
        earlier=tuple(_turn(row, None) for row in _turn_rows(engine, paused.sender_id, paused.id, False)),
        since_pause=tuple(_turn(row, check) for row in _turn_rows(engine, paused.sender_id, paused.id, True)),
    )


def waiting_conversations(engine: Engine, check: CrisisCheck) -> List[WaitingConversation]:
    """Every paused conversation, longest waiting first, its new messages checked for a crisis."""
    if not has_events_table(engine):
        return []
    return [_conversation(engine, paused, check) for paused in _paused(engine)]


def _paused_by_ref(engine: Engine, ref: str) -> Optional[sa.engine.Row]:
    if not has_events_table(engine):
        return None
    return next((paused for paused in _paused(engine) if conversation_ref(paused.sender_id) == ref), None)


def waiting_sender(engine: Engine, ref: str) -> Optional[str]:
    """The sender id of the paused conversation with reference `ref`, or None when it is not waiting."""
    paused = _paused_by_ref(engine, ref)
    return paused.sender_id if paused is not None else None


def waiting_conversation(engine: Engine, ref: str, check: CrisisCheck) -> Optional[WaitingConversation]:
    """The paused conversation with reference `ref`, or None when it is not (or no longer) waiting."""
    paused = _paused_by_ref(engine, ref)
    return _conversation(engine, paused, check) if paused is not None else None


_safety_net_lock = threading.Lock()


@lru_cache(maxsize=1)
def _build_safety_net() -> "SafetyNet":
    from bot.safety import SafetyNet  # spaCy takes seconds to load: only where messages are checked

    return SafetyNet()


def load_safety_net() -> "SafetyNet":
    """The shared safety net, built once (callers arriving meanwhile wait for it)."""
    with _safety_net_lock:
        return _build_safety_net()


def safety_net_check(text: str) -> Optional[str]:
    """The rule-based safety net (bot/safety/) as a CrisisCheck."""
    result = load_safety_net().check(text)
    return result.category if result.crisis else None


# ------------------------------------------------ Rasa's HTTP API (write)

class RasaApiError(RuntimeError):
    """Rasa's HTTP API could not be reached or refused the request."""


class CrisisNotSent(RasaApiError):
    """The conversation was resumed but the crisis response could not be triggered."""


class ReplyError(ValueError):
    """A staff reply that cannot be sent, with what to change."""


class RasaApi:
    """The calls of Rasa's HTTP API the console makes, authenticated with the token."""

    def __init__(self, base_url: str, token: Optional[str], http: aiohttp.ClientSession) -> None:
        self._base_url = base_url.rstrip("/")
        self._token = token
        self._http = http

    @property
    def configured(self) -> bool:
        """False when Rasa's HTTP API has no token, so nothing can be sent."""
        return bool(self._token)

    async def _post(self, path: str, body: Any, **query: str) -> None:
        if not self._token:
            raise RasaApiError("Rasa's HTTP API is off: set RASA_AUTH_TOKEN for Rasa and the console.")
        try:
            async with self._http.post(
                f"{self._base_url}{path}", json=body, params={**query, "token": self._token},
                timeout=aiohttp.ClientTimeout(total=RASA_TIMEOUT_SECONDS),
            ) as response:
                if response.status >= 300:
                    raise RasaApiError(f"Rasa answered HTTP {response.status}.")
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:  # asyncio's is not the builtin in 3.10
            raise RasaApiError(f"Rasa could not be reached ({type(error).__name__}).") from None

    async def append_events(self, sender_id: str, events: Sequence[Dict[str, Any]]) -> None:
        """Add events to the conversation; bot messages are also sent to the person's channel."""
        await self._post(
            f"/conversations/{quote(sender_id, safe='')}/tracker/events", list(events),
            execute_side_effects="true", output_channel="latest",
        )

    async def trigger_intent(self, sender_id: str, intent: str) -> None:
        """Run the assistant as if the person had expressed `intent`."""
        await self._post(
            f"/conversations/{quote(sender_id, safe='')}/trigger_intent", {"name": intent},
            output_channel="latest",
        )


def clean_reply(text: str) -> str:
    """The reply as it will be sent, or ReplyError saying what is wrong with it."""
    text = (text or "").strip()
    if not text:
        raise ReplyError("Write a reply before sending.")
    if len(text) > MAX_REPLY_CHARS:
        raise ReplyError(f"A reply can be at most {MAX_REPLY_CHARS} characters; this one has {len(text)}.")
    return text


async def send_staff_reply(api: RasaApi, sender_id: str, text: str) -> None:
    """Send a staff member's message into the person's channel, marked as from staff."""
    await api.append_events(sender_id, [{"event": "bot", "text": clean_reply(text), "metadata": STAFF_METADATA}])


async def hand_back(api: RasaApi, sender_id: str, text: str = BACK_TO_ASSISTANT) -> None:
    """Tell the person the assistant is back, and resume the conversation."""
    await api.append_events(sender_id, [{"event": "bot", "text": text}, {"event": "resume"}])


async def escalate_crisis(api: RasaApi, sender_id: str) -> None:
    """Resume the conversation and run the crisis response, as if Rasa had not been paused."""
    await api.append_events(sender_id, [{"event": "resume"}])
    try:
        await api.trigger_intent(sender_id, CRISIS_INTENT)
    except RasaApiError as error:
        raise CrisisNotSent(str(error)) from None


@dataclass(frozen=True)
class SweepAction:
    """What a sweep did to one conversation: "crisis_escalated" or "timed_out"."""

    sender_id: str
    action: str
    category: Optional[str] = None


class Sweeper:
    """Watches waiting conversations: answers crises, and hands back those nobody joined."""

    def __init__(self, engine: Engine, api: RasaApi, check: CrisisCheck) -> None:
        self._engine = engine
        self._api = api
        self._check = check
        # Resumed, but the crisis response failed: no longer paused, so tracked here until it is sent.
        self._crisis_untriggered: Dict[str, str] = {}

    async def sweep(self, now: dt.datetime) -> List[SweepAction]:
        """One pass over the waiting conversations; failures are logged and retried next pass."""
        done = [await self._retry(sender_id, category) for sender_id, category in list(self._crisis_untriggered.items())]
        conversations = await asyncio.to_thread(waiting_conversations, self._engine, self._check)
        for conversation in conversations:
            done.append(await self._handle(conversation, now))
        return [action for action in done if action is not None]

    async def _retry(self, sender_id: str, category: str) -> Optional[SweepAction]:
        try:
            await self._api.trigger_intent(sender_id, CRISIS_INTENT)
        except RasaApiError as error:
            logger.critical("CRISIS RESPONSE NOT SENT to a resumed conversation, retrying: %s", error)
            return None
        del self._crisis_untriggered[sender_id]
        return SweepAction(sender_id, "crisis_escalated", category)

    async def _handle(self, conversation: WaitingConversation, now: dt.datetime) -> Optional[SweepAction]:
        sender_id, category = conversation.sender_id, conversation.crisis
        try:
            if category is not None:
                await escalate_crisis(self._api, sender_id)
                return SweepAction(sender_id, "crisis_escalated", category)
            if conversation.timed_out(now):
                await hand_back(self._api, sender_id, NOBODY_FREE)
                return SweepAction(sender_id, "timed_out")
        except CrisisNotSent as error:
            self._crisis_untriggered[sender_id] = category
            logger.critical("CRISIS RESPONSE NOT SENT to a resumed conversation, retrying: %s", error)
        except RasaApiError as error:
            log = logger.critical if category else logger.error
            log("Could not act on a waiting conversation (%s), retrying: %s", "crisis" if category else "timeout", error)
        return None
