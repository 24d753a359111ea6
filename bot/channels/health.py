"""GET /health on a Rasa server, registered as an input channel (Rasa's only plug-in point for routes).

Failing (503) when the model is not loaded, the tracker store does not answer
or recently lost a load or save, or the lock store does not answer: the
instance would lose or mix up conversations, so a proxy should stop sending it
people. Degraded (200) when only the action server is down: static replies,
crisis replies among them, still work, and every instance shares that action
server, so taking them all out of service would only make things worse.
"""
from __future__ import annotations

from typing import Any, Awaitable, Callable, Text

from rasa.core.agent import Agent
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import tracker_store
from bot.health import Check, Report, check_http, health_url
from bot.lock_store import AtomicRedisLockStore


async def rasa_report(agent: Agent) -> Report:
    """The health of one Rasa server, from its agent's real stores and endpoints."""
    if isinstance(agent.lock_store, AtomicRedisLockStore):
        lock_store = await agent.lock_store.check()
    else:
        lock_store = Check(True, "", {"type": "in_memory"})
    required = {
        "model": Check(agent.is_ready(), "" if agent.is_ready() else "no model loaded"),
        "tracker_store": await tracker_store.HEALTH.check(),
        "lock_store": lock_store,
    }
    optional = {}
    if agent.action_endpoint and agent.action_endpoint.url:
        optional["action_server"] = await check_http(health_url(agent.action_endpoint.url))
    return Report(required, optional)


class HealthInput(InputChannel):
    """Adds GET /health to the Rasa server; it takes no messages."""

    @classmethod
    def name(cls) -> Text:
        return "health"

    def url_prefix(self) -> Text:
        return "/health"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        health = Blueprint("intake_health", __name__)

        @health.route("/", methods=["GET"])
        async def report(request: Request) -> HTTPResponse:
            result = await rasa_report(request.app.ctx.agent)
            return response.json(result.as_dict(), status=result.http_status)

        return health
