"""Failure drills on the production topology: what the person gets, what is kept, what operators see.

The drills share one cluster and each puts back what it broke; the tracker-store
drill runs last because the Rasa servers then report the lost turns for a while.
"""
import signal
import uuid

import pytest

from bot.turn_status import TurnProblems, notice

pytestmark = pytest.mark.integration

CRISIS = "I want to kill myself"
CRISIS_REPLY_START = "I'm really glad you told me"  # every variation of utter_crisis_immediate
CONTACT = "0800 000 000 (weekdays 9 to 5)"  # INTAKE_ORG_CONTACT of the test cluster
ACTION_FAILED = notice(TurnProblems(failed_actions=["x"]), CONTACT)
STORAGE_FAILED = notice(TurnProblems(not_saved=True), CONTACT)


def texts(replies):
    return [reply.get("text", "") for reply in replies]


def start_conversation(cluster, instance):
    """A new person who said hello, agreed to the summary and named a concern."""
    sender = uuid.uuid4().hex
    for text in ("hi", "yes that's fine", "I've been drinking way too much lately"):
        assert ACTION_FAILED not in texts(cluster.say(instance, sender, text))
    return sender


def user_texts(cluster, sender):
    return [e["text"] for e in cluster.tracker("rasa-1", sender)["events"] if e["event"] == "user"]


def test_every_service_checks_its_real_dependencies(cluster):
    for name in ("rasa-1", "rasa-2", "proxy"):
        status, body = cluster.get(name, "/health")
        assert (status, body["status"]) == (200, "ok"), body
        assert {check: result["ok"] for check, result in body["checks"].items()} == {
            "model": True, "tracker_store": True, "lock_store": True, "action_server": True}
    status, body = cluster.get("actions", "/health")
    assert (status, body) == (200, {"status": "ok", "checks": {"database": {"ok": True}}})


def test_a_conversation_resumes_with_its_crisis_flag_after_rasa_is_killed(cluster):
    sender = start_conversation(cluster, "rasa-1")
    assert any("emergency" in text for text in texts(cluster.say("rasa-1", sender, CRISIS)))
    cluster.kill("rasa-1", signal.SIGKILL)
    try:
        # Meanwhile nginx sends the person to the instance that is still up.
        assert cluster.say("proxy", sender, "what happens at a first session?")
    finally:
        cluster.start("rasa-1")
    slots = cluster.tracker("rasa-1", sender)["slots"]
    assert (slots["crisis_flag"], slots["consent"], slots["concern"]) == (True, True, "alcohol")
    assert cluster.say("rasa-1", sender, "can I just sit and listen?")
    assert user_texts(cluster, sender)[-3:] == [CRISIS, "what happens at a first session?", "can I just sit and listen?"]


def test_with_the_action_server_down_people_are_answered_and_nothing_is_lost(cluster):
    sender = start_conversation(cluster, "rasa-2")
    cluster.kill("actions", signal.SIGTERM)
    try:
        groups = texts(cluster.say("rasa-1", sender, "can you just show me some groups"))
        assert groups[-1] == ACTION_FAILED, groups
        # In the middle of the form (which needs the action server) and as a first message:
        # the static crisis response itself, not only the urgent line of the failure notice.
        for person in (sender, uuid.uuid4().hex):
            crisis = texts(cluster.say("rasa-2", person, CRISIS))
            assert crisis[0].startswith(CRISIS_REPLY_START) and crisis[-1] == ACTION_FAILED, crisis
        status, body = cluster.get("rasa-2", "/health")
        assert (status, body["status"], body["checks"]["action_server"]["ok"]) == (200, "degraded", False)
        assert "CRISIS ALERT NOT RECORDED" in cluster.log("rasa-2")
    finally:
        cluster.start("actions")
    recovered = texts(cluster.say("rasa-1", sender, "can you just show me some groups"))
    assert ACTION_FAILED not in recovered and sum(text[:2] in ("1.", "2.", "3.") for text in recovered) == 3
    assert user_texts(cluster, sender)[-3:] == ["can you just show me some groups", CRISIS,
                                                "can you just show me some groups"]
    slots = cluster.tracker("rasa-1", sender)["slots"]
    assert (slots["consent"], slots["concern"]) == (True, "alcohol")


def test_with_redis_down_people_are_told_and_health_fails(cluster, redis_server):
    sender = start_conversation(cluster, "rasa-1")
    redis_server.stop()
    try:
        assert texts(cluster.say("rasa-1", sender, "what happens at a first session?")) == [STORAGE_FAILED]
        status, body = cluster.get("rasa-1", "/health")
        assert (status, body["checks"]["lock_store"]["ok"]) == (503, False)
    finally:
        redis_server.start()
    assert cluster.get("rasa-1", "/health")[0] == 200
    assert STORAGE_FAILED not in texts(cluster.say("rasa-1", sender, "what happens at a first session?"))


def test_a_lost_tracker_store_is_loud_and_never_overwrites_the_conversation(cluster, postgres):
    sender = start_conversation(cluster, "rasa-1")
    cluster.say("rasa-1", sender, CRISIS)
    stored = cluster.tracker("rasa-1", sender)["events"]
    postgres.stop("immediate")
    try:
        replies = texts(cluster.say("rasa-1", sender, "can I just sit and listen?"))
        assert replies[-1] == STORAGE_FAILED
        crisis = texts(cluster.say("rasa-1", uuid.uuid4().hex, "I don't want to be alive anymore"))
        assert any("emergency" in text for text in crisis) and crisis[-1] == STORAGE_FAILED
        status, body = cluster.get("rasa-1", "/health")
        tracker_store = body["checks"]["tracker_store"]
        assert (status, body["status"], tracker_store["ok"]) == (503, "failing", False)
        assert tracker_store["failed_loads"] >= 2 and tracker_store["failed_saves"] >= 2
    finally:
        postgres.start()
    log = cluster.log("rasa-1")
    assert "CRITICAL bot.tracker_store  - TRACKER NOT LOADED" in log and "TRACKER NOT SAVED" in log
    assert "sit and listen" not in log and "alive anymore" not in log and sender not in log
    # The database is back: the conversation is as it was, crisis flag included, with nothing mixed in.
    assert cluster.tracker("rasa-1", sender)["events"] == stored
    assert cluster.tracker("rasa-1", sender)["slots"]["crisis_flag"] is True
    status, body = cluster.get("rasa-1", "/health")
    assert (status, body["checks"]["tracker_store"]["detail"]) == (503, "a conversation could not be loaded or saved recently")
    assert STORAGE_FAILED not in texts(cluster.say("rasa-1", sender, "can I just sit and listen?"))
