"""What the person is told when part of the service fails during their message, and what is logged."""
import logging

import pytest
from rasa.shared.core.events import ActionExecuted, UserUttered, UserUtteranceReverted
from rasa.shared.core.trackers import DialogueStateTracker

from bot import turn_status
from bot.turn_status import TurnProblems, handle_watched, notice, watch_action_failures, watching_turn

CONTACT = "0800 111 222 (weekdays)"
RASA_ACTION_FAILED = ("Encountered an exception while running action '{}'.Bot will continue, but the actions "
                      "events are lost. Please check the logs of your action server for more information.")


def test_all_went_well_means_no_notice():
    assert notice(TurnProblems(), CONTACT) is None


@pytest.mark.parametrize("problems", [TurnProblems(history_unavailable=True), TurnProblems(not_saved=True),
                                      TurnProblems(locks_unavailable=True), TurnProblems(crashed="LockError")])
def test_a_storage_problem_says_we_may_not_remember_and_how_to_reach_us(problems):
    text = notice(problems, CONTACT)
    assert "may not remember our conversation" in text and text.endswith(f"you can reach us at {CONTACT}.")


def test_a_failed_action_says_what_is_kept_and_how_to_reach_us_even_without_a_contact_setting():
    text = notice(TurnProblems(failed_actions=["action_recommend_groups"]), None)
    assert "What you've told me is kept" in text
    assert text.endswith("contact details on our website.")


def test_failed_actions_are_noted_from_rasa_s_log_only_inside_a_turn():
    watch_action_failures()
    watch_action_failures()  # installing twice adds one watch
    processor = logging.getLogger("rasa.core.processor")
    assert sum(isinstance(f, turn_status._ActionFailureWatch) for f in processor.filters) == 1
    processor.error(RASA_ACTION_FAILED.format("action_outside"))
    with watching_turn() as problems:
        processor.error(RASA_ACTION_FAILED.format("action_recommend_groups"))
        processor.error("Some other error")
    assert problems.failed_actions == ["action_recommend_groups"]
    assert turn_status.current() is None


def test_a_failed_crisis_action_is_critical(caplog):
    watch_action_failures()
    with caplog.at_level(logging.CRITICAL, logger="bot.turn_status"), watching_turn() as problems:
        turn_status.observe(_turn(CRISIS_MESSAGE, *ANSWERED))
        logging.getLogger("rasa.core.processor").error(RASA_ACTION_FAILED.format("action_crisis_support"))
    assert problems.crisis_alert_lost and not problems.crisis_unanswered
    assert "CRISIS ALERT NOT RECORDED" in caplog.text and "CRISIS REPLY NOT SENT" not in caplog.text


async def test_a_crash_while_handling_is_answered_and_logged_without_the_message(caplog):
    sent = []

    async def handle():
        raise RuntimeError("could not handle 'I feel hopeless'")

    async def send(text):
        sent.append(text)

    with caplog.at_level(logging.ERROR, logger="bot.turn_status"):
        await handle_watched(handle, send, CONTACT)
    assert sent == [notice(TurnProblems(crashed="RuntimeError"), CONTACT)]
    assert "RuntimeError" in caplog.text and "hopeless" not in caplog.text


async def test_a_turn_that_went_well_sends_nothing_extra():
    sent = []

    async def handle():
        return None

    async def send(text):
        sent.append(text)

    await handle_watched(handle, send, CONTACT)
    assert sent == []


def _turn(*events):
    tracker = DialogueStateTracker("someone", slots=[])
    for event in events:
        tracker.update(event)
    return tracker


CRISIS_MESSAGE = UserUttered("I want to end it", intent={"name": "express_crisis", "confidence": 1.0})


ANSWERED = (ActionExecuted("utter_crisis_immediate"), ActionExecuted("action_crisis_support"),
            ActionExecuted("utter_ask_safe_now"), ActionExecuted("action_listen"))


@pytest.mark.parametrize(("events", "unanswered", "alert_lost"), [
    ((CRISIS_MESSAGE, ActionExecuted("preferences_form"), ActionExecuted("action_listen")), True, True),
    ((CRISIS_MESSAGE, ActionExecuted("utter_crisis_immediate"), ActionExecuted("action_listen")), False, True),
    ((CRISIS_MESSAGE, *ANSWERED), False, False),
    ((UserUttered("hi", intent={"name": "greet", "confidence": 1.0}), ActionExecuted("action_listen")), False, False),
])
def test_what_the_dialogue_did_with_a_crisis_message_is_noticed(events, unanswered, alert_lost):
    earlier_crisis = (CRISIS_MESSAGE, *ANSWERED)
    with watching_turn() as problems:
        turn_status.observe(_turn(*earlier_crisis, *events))
    assert (problems.crisis_unanswered, problems.crisis_alert_lost) == (unanswered, alert_lost)


def test_a_crisis_message_that_a_fallback_reverted_is_still_noticed():
    # What Rasa does with a first message while the action server is down: the session
    # start fails, no rule applies, and the core fallback reverts the message.
    with watching_turn() as problems:
        turn_status.observe(_turn(ActionExecuted("action_session_start"), CRISIS_MESSAGE,
                                  ActionExecuted("action_default_fallback"), UserUtteranceReverted(),
                                  ActionExecuted("action_listen")))
    assert problems.crisis_unanswered and problems.crisis_alert_lost


def test_a_crisis_without_its_reply_puts_urgent_help_first_and_is_critical(caplog):
    with caplog.at_level(logging.CRITICAL, logger="bot.turn_status"), watching_turn() as problems:
        turn_status.observe(_turn(CRISIS_MESSAGE, ActionExecuted("preferences_form"), ActionExecuted("action_listen")))
        problems.failed_actions.append("preferences_form")
    text = notice(problems, CONTACT)
    assert text.startswith(turn_status.URGENT_HELP + " Sorry, part of our service isn't working")
    assert notice(TurnProblems(crisis_message=True), CONTACT) == turn_status.URGENT_HELP
    assert notice(TurnProblems(crisis_message=True, actions_run=["utter_crisis_immediate"]), CONTACT) is None
    assert "CRISIS REPLY NOT SENT" in caplog.text and "CRISIS ALERT NOT RECORDED" in caplog.text


def test_silence_while_a_staff_member_has_the_conversation_is_acknowledged_not_called_a_misunderstanding():
    from bot.input_guard import NO_REPLY_NOTICE, PAUSED_NOTICE
    from bot.turn_status import TurnProblems, silence_notice

    assert silence_notice(TurnProblems(paused=True)) == PAUSED_NOTICE
    assert silence_notice(TurnProblems()) == NO_REPLY_NOTICE
    assert silence_notice(None) == NO_REPLY_NOTICE


def test_a_turn_saved_while_the_conversation_is_paused_is_noted_as_paused():
    from rasa.shared.core.events import ConversationPaused, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.turn_status import observe, watching_turn

    tracker = DialogueStateTracker.from_events("s1", [ConversationPaused(), UserUttered("hello?", {"name": "greet"})])
    with watching_turn() as problems:
        observe(tracker)
    assert problems.paused
