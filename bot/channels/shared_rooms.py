"""socket.io rooms shared by several Rasa processes through Redis.

A visitor's socket lives in one Rasa process (nginx keeps the visitor there),
but a message for them can be sent from another: the staff console's live
hand-off calls Rasa's HTTP API through nginx, and whichever process answers
emits to the visitor's room. python-socketio's Redis manager publishes every
emit, and the process that holds the socket delivers it.
"""
from __future__ import annotations

from typing import Optional

import socketio

# The Redis pub/sub channel; every Rasa process of one deployment uses the same.
CHANNEL = "intake-socketio"


def share_rooms(sio: socketio.AsyncServer, redis_url: Optional[str]) -> None:
    """Route `sio`'s emits through Redis when a Redis URL is configured (before the server is used)."""
    if not redis_url:
        return
    manager = socketio.AsyncRedisManager(redis_url, channel=CHANNEL)
    manager.set_server(sio)
    sio.manager = manager
