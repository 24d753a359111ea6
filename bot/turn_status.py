"""What went wrong while the assistant answered one message, so the channel can tell the person.

A channel opens `watching_turn()` around Rasa's message handling; the tracker
store, the lock store and the action-failure watch record problems into it
(they run in the same asyncio task, so a context variable reaches them), and
the channel then sends `notice(...)`: never silence, never a false "all done".
"""
from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Awaitable, Callable, Iterator, List, Optional

from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.input_guard import NO_REPLY_NOTICE, PAUSED_NOTICE

logger = logging.getLogger(__name__)

CRISIS_INTENT = "express_crisis"
CRISIS_REPLY = "utter_crisis_immediate"
CRISIS_ACTION = "action_crisis_support"
# Said first when a crisis message went without its crisis reply (a form that needs the action server, say).
URGENT_HELP = ("If you are in danger or might hurt yourself, please call your local emergency number now "
               "(112 works in many countries).")
# Rasa 3.6 logs this (logger rasa.core.processor) when a custom action fails, then carries on without its events.
_ACTION_FAILED = re.compile(r"^Encountered an exception while running action '([^']+)'")
_PROCESSOR_LOGGER = "rasa.core.processor"


@dataclass
class TurnProblems:
    """Problems met while handling one message."""

    failed_actions: List[str] = field(default_factory=list)
    history_unavailable: bool = False  # the conversation could not be loaded
    not_saved: bool = False  # the turn could not be written to the tracker store
    locks_unavailable: bool = False  # the lock store could not be reached
    crashed: Optional[str] = None  # the class of an error that stopped the handling
    crisis_message: bool = False  # the message was understood as a crisis
    actions_run: List[str] = field(default_factory=list)  # what the dialogue did after the message
    paused: bool = False  # a staff member has the conversation (live hand-off): the bot stays quiet

    @property
    def crisis_unanswered(self) -> bool:
        return self.crisis_message and CRISIS_REPLY not in self.actions_run

    @property
    def crisis_alert_lost(self) -> bool:
        return self.crisis_message and (CRISIS_ACTION not in self.actions_run or CRISIS_ACTION in self.failed_actions)

    @property
    def storage_failed(self) -> bool:
        return self.history_unavailable or self.not_saved or self.locks_unavailable or self.crashed is not None

    def __bool__(self) -> bool:
        return bool(self.failed_actions) or self.storage_failed or self.crisis_unanswered


_current: ContextVar[Optional[TurnProblems]] = ContextVar("intake_turn_problems", default=None)


@contextmanager
def watching_turn() -> Iterator[TurnProblems]:
    """Collect the problems of the message handled inside the block."""
    problems = TurnProblems()
    token = _current.set(problems)
    try:
        yield problems
    finally:
        _current.reset(token)
    if problems.crisis_unanswered:
        logger.critical("CRISIS REPLY NOT SENT by the dialogue for a crisis message; the person got the "
                        "fallback urgent-help line instead.")
    if problems.crisis_alert_lost:
        logger.critical("CRISIS ALERT NOT RECORDED: %s did not run for a crisis message (action server "
                        "unreachable?). Check conversations with intent %s since the outage.",
                        CRISIS_ACTION, CRISIS_INTENT)


def current() -> Optional[TurnProblems]:
    """The problems of the message being handled, or None outside a watched turn."""
    return _current.get()


def observe(tracker: DialogueStateTracker) -> None:
    """Note, from the turn as it is about to be saved, whether it was a crisis and what the dialogue did."""
    problems = current()
    if problems is None:
        return
    problems.paused = tracker.is_paused()
    actions = []
    # The turn's own message, read from the events: a fallback may have reverted it,
    # and then tracker.latest_message is an earlier one (or none).
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            problems.crisis_message = event.intent_name == CRISIS_INTENT
            break
        if isinstance(event, ActionExecuted):
            actions.append(event.action_name)
    problems.actions_run = actions[::-1]


def _reach_us(org_contact: Optional[str]) -> str:
    if org_contact:
        return f"If you'd like to talk to someone, you can reach us at {org_contact}."
    return "If you'd like to talk to someone, you can reach our team through the contact details on our website."


def notice(problems: TurnProblems, org_contact: Optional[str]) -> Optional[str]:
    """A short, kind message for the person when something failed; None when all went well."""
    urgent = f"{URGENT_HELP} " if problems.crisis_unanswered else ""
    if problems.storage_failed:
        return (f"{urgent}Sorry, I'm having a technical problem and may not remember our conversation right now. "
                f"Please try again in a few minutes. {_reach_us(org_contact)}")
    if problems.failed_actions:
        return (f"{urgent}Sorry, part of our service isn't working right now, so I couldn't finish that. "
                f"What you've told me is kept, and you can try again in a few minutes. {_reach_us(org_contact)}")
    return urgent.strip() or None


def silence_notice(problems: Optional[TurnProblems]) -> str:
    """What to say when the dialogue said nothing: a staff member will answer, or please rephrase."""
    return PAUSED_NOTICE if problems is not None and problems.paused else NO_REPLY_NOTICE


async def handle_watched(handle: Callable[[], Awaitable[None]], send: Callable[[str], Awaitable[None]],
                         org_contact: Optional[str]) -> TurnProblems:
    """Run Rasa's handling of one message, then tell the person (with `send`) if anything failed."""
    with watching_turn() as problems:
        try:
            await handle()
        except Exception as error:
            # Not re-raised: Rasa's channels would log the message text with it.
            problems.crashed = type(error).__name__
            logger.error("A message could not be handled (%s).", problems.crashed)
    text = notice(problems, org_contact)
    if text:
        await send(text)
    return problems


class _ActionFailureWatch(logging.Filter):
    """Notes failed custom actions in the current turn; lets every record through."""

    def filter(self, record: logging.LogRecord) -> bool:
        problems = _current.get()
        if problems is not None and record.levelno >= logging.ERROR:
            failed = _ACTION_FAILED.match(str(record.msg))
            if failed:
                problems.failed_actions.append(failed.group(1))
        return True


def watch_action_failures() -> None:
    """Install the watch on Rasa's processor logger (once per process)."""
    processor = logging.getLogger(_PROCESSOR_LOGGER)
    if not any(isinstance(existing, _ActionFailureWatch) for existing in processor.filters):
        processor.addFilter(_ActionFailureWatch())
