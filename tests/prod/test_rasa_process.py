"""The process-wide adjustments to Rasa: the action server's answers are checked exactly as Rasa checks them."""
import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event, SlotSet
from rasa.shared.utils.common import all_subclasses

from bot import rasa_process

RASA_CHECK = RemoteAction._validate_action_result

VALID = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "format", "value": "online", "timestamp": None}],
     "responses": [{"text": "Which days suit you best?", "buttons": [{"title": "Weekdays", "payload": "/inform"}]}]},
    {"events": [{"event": "active_loop", "name": None}, {"event": "followup", "name": "action_listen"}]},
]
INVALID = [
    {"events": [{"event": "no_such_event"}]},
    {"events": "not a list"},
    {"responses": [1, 2]},
    {"events": [{"event": "slot"}]},  # a slot event needs its name
]


@pytest.mark.parametrize("answer", VALID)
def test_valid_answers_pass_both_checks(answer):
    assert RASA_CHECK(RemoteAction("a", None), answer) is True
    assert rasa_process.validate_action_result(RemoteAction("a", None), answer) is True


@pytest.mark.parametrize("answer", INVALID)
def test_invalid_answers_fail_both_checks(answer):
    with pytest.raises(jsonschema.ValidationError):
        RASA_CHECK(RemoteAction("a", None), answer)
    with pytest.raises(jsonschema.ValidationError, match="does not follow Rasa's action response format"):
        rasa_process.validate_action_result(RemoteAction("a", None), answer)


def test_prepare_puts_both_in_place(monkeypatch):
    monkeypatch.setattr(RemoteAction, "_validate_action_result", RASA_CHECK)
    monkeypatch.setattr(Event, "resolve_by_type", staticmethod(rasa_process._rasa_resolve_by_type))
    rasa_process.prepare()
    assert RemoteAction._validate_action_result is rasa_process.validate_action_result
    assert Event.resolve_by_type is rasa_process.resolve_event_type


def test_event_types_resolve_to_the_classes_rasa_finds():
    rasa_resolve = rasa_process._rasa_resolve_by_type
    for name in {event_class.type_name for event_class in all_subclasses(Event)}:
        assert rasa_process.resolve_event_type(name) is rasa_resolve(name)
    assert rasa_process.resolve_event_type("no_such_event", SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        rasa_process.resolve_event_type("no_such_event")
