"""End to end over HTTP: the REST channel, the real action server, the SQLite catalog."""
import sqlite3
import time
import uuid

import pytest
import sqlalchemy as sa

from bot.database import open_database
from bot.models import Group

pytestmark = pytest.mark.integration


def texts(replies):
    return [reply.get("text", "") for reply in replies]


def stored_user_texts(database_url, sender):
    path = database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id", (sender,)
        ).fetchall()
    import json

    return [json.loads(data)["text"] for (data,) in rows]


def test_greet_name_a_concern_and_get_groups_from_the_catalog(servers):
    sender = uuid.uuid4().hex
    welcome = texts(servers.say(sender, "hello"))
    assert any("intake assistant" in t for t in welcome)
    assert any("save a short summary" in t for t in welcome)
    texts(servers.say(sender, "no thanks"))
    acknowledged = texts(servers.say(sender, "I think I'm drinking far too much"))
    assert any("drinking" in t for t in acknowledged)
    groups = texts(servers.say(sender, "just show me some groups"))

    database = open_database(servers.settings.database_url)
    with database.sessions() as session:
        names = {
            g.name for g in session.scalars(sa.select(Group).where(Group.active.is_(True)))
            if "alcohol" in g.concerns
        }
    listed = [t for t in groups if t[:2] in ("1.", "2.", "3.")]
    assert len(listed) == 3
    assert all(any(name in t for name in names) for t in listed)


def test_a_crisis_message_gets_the_static_crisis_reply(servers):
    replies = texts(servers.say(uuid.uuid4().hex, "I want to end my life"))
    assert any("emergency" in t for t in replies)
    assert any("safe right now" in t for t in replies)


def test_turns_are_saved_while_a_reader_holds_the_database_open(servers):
    """A staff query holding a read transaction must not make Rasa lose turns."""
    sender = uuid.uuid4().hex
    path = servers.settings.database_url.removeprefix("sqlite:///")
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM events").fetchone()
    try:
        sent = ["hi", "what happens at a first session?", "can I just listen?"]
        for message in sent:
            started = time.monotonic()
            assert servers.say(sender, message, timeout=30), "no reply"
            assert time.monotonic() - started < 10, "the writer waited on the reader"
    finally:
        reader.execute("COMMIT")
        reader.close()
    assert stored_user_texts(servers.settings.database_url, sender) == sent
    log = servers.log_text()
    assert "TRACKER NOT SAVED" not in log and "Falling back" not in log


def test_message_text_and_slot_values_never_reach_the_logs(servers):
    sender = uuid.uuid4().hex
    servers.say(sender, "I live in Zanzibarquay and my email is zebra.quartz@example.org")
    servers.say(sender, "my wife died and my number is 07700 900461")
    log = servers.log_text()
    for secret in ("Zanzibarquay", "zebra.quartz", "900461", "my wife died"):
        assert secret not in log
