"""Process-wide adjustments to Rasa 3.6, made once by the project's channels when a Rasa server starts.

- The action-failure watch of `bot.turn_status`, so people are told when an action fails.
- Faster checks of the action server's answers. Rasa validates every answer
  against its JSON schema with `jsonschema.validate`, which first re-checks and
  recompiles that large schema: about 50 ms of CPU per custom action, several
  times per turn of a form, and most of the gap to a bot without custom
  actions under load. Here the same schema is compiled once.
- A session start that works without the action server. The project's own
  action_session_start (actions/session.py) also reads the country; when the
  action server is away, Rasa's built-in one starts the session instead.
  Otherwise the session would lack its closing action_listen, no rule would
  apply to the person's first message, and a crisis would get the fallback.
- A crisis in the middle of a form while the action server is away: Rasa runs
  the form first, and its failure would end the turn before the crisis rules
  could answer; it is turned into a rejection, so they do.
- Faster loading of conversations. Rebuilding a tracker looks up each stored
  event's class by scanning every Event subclass (about 0.2 ms per event, and a
  conversation with a form has hundreds); here known type names are looked up
  in a table, and anything else still goes through Rasa's own lookup.
"""
from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any, Dict, List, Optional, Text, Type

from jsonschema import ValidationError, validators
from rasa.core.actions.action import ActionExecutionRejection, ActionSessionStart, RemoteAction
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.events import Event
from rasa.shared.utils.common import all_subclasses

from bot.turn_status import CRISIS_INTENT, watch_action_failures

logger = logging.getLogger(__name__)


@lru_cache(maxsize=None)
def _action_response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(_action: RemoteAction, result: Dict[Text, Any]) -> bool:
    """RemoteAction's check of an action server's answer, against the same schema compiled once."""
    try:
        _action_response_validator().validate(result)
    except ValidationError as error:
        error.message += " (the action server's answer does not follow Rasa's action response format)"
        raise
    return True


_rasa_remote_run = RemoteAction.run


async def run_remote_action(action: RemoteAction, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> List[Event]:
    """RemoteAction.run, when the action server fails: Rasa's own session start, and a rejection for a crisis mid-form."""
    try:
        return await _rasa_remote_run(action, output_channel, nlg, tracker, domain)
    except ActionExecutionRejection:
        raise
    except Exception as error:
        if action.name() == ACTION_SESSION_START_NAME:
            logger.warning("action_session_start failed (%s); the session starts without the action server.",
                           type(error).__name__)
            return await ActionSessionStart().run(output_channel, nlg, tracker, domain)
        if tracker.active_loop_name and tracker.latest_message.intent.get("name") == CRISIS_INTENT:
            # A rejected form lets the crisis rules answer; a failed one would end the turn unanswered.
            raise ActionExecutionRejection(action.name(), "the action server is unavailable") from error
        raise


_rasa_resolve_by_type = Event.resolve_by_type


@lru_cache(maxsize=None)
def _event_classes() -> Dict[Text, Type[Event]]:
    classes: Dict[Text, Type[Event]] = {}
    for event_class in all_subclasses(Event):
        classes.setdefault(event_class.type_name, event_class)  # the first match wins, as in Rasa
    return classes


def resolve_event_type(type_name: Text, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
    """Event.resolve_by_type with a table for the known event types."""
    return _event_classes().get(type_name) or _rasa_resolve_by_type(type_name, default)


def prepare() -> None:
    """Install the adjustments (idempotent)."""
    watch_action_failures()
    RemoteAction._validate_action_result = validate_action_result
    RemoteAction.run = run_remote_action
    Event.resolve_by_type = staticmethod(resolve_event_type)
