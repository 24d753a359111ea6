"""A local fake of Telegram's, Twilio's, Meta's and Slack's APIs: an aiohttp server on loopback.

It checks each call's credentials as the real API would, answers in the real
API's shape, and records every call so tests can see what the assistant sent.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional

from aiohttp import BasicAuth, web


@dataclass(frozen=True)
class Credentials:
    telegram_token: str
    twilio_account_sid: str
    twilio_auth_token: str
    facebook_page_token: str
    facebook_app_secret: str
    slack_bot_token: str


@dataclass(frozen=True)
class Call:
    """One API call the assistant made."""

    platform: str
    method: str  # "sendMessage", "Messages.json", "me/messages", "chat.postMessage", ...
    body: Dict[str, Any]  # the JSON object or the form fields


class FakePlatforms:
    """Serves /telegram, /twilio, /facebook and /slack on a free loopback port, in its own thread."""

    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials
        self.calls: List[Call] = []
        self.base_url = ""
        self._ids = itertools.count(1000)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: Optional[web.AppRunner] = None

    def start(self) -> "FakePlatforms":
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self._loop).result(timeout=10)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def env(self) -> Dict[str, str]:
        """The *_API_BASE_URL variables that point the connectors here."""
        return {
            "TELEGRAM_API_BASE_URL": f"{self.base_url}/telegram",
            "TWILIO_API_BASE_URL": f"{self.base_url}/twilio",
            "FACEBOOK_API_BASE_URL": f"{self.base_url}/facebook/v19.0",
            "SLACK_API_BASE_URL": f"{self.base_url}/slack/api/",
        }

    def calls_where(self, platform: str, **fields: Any) -> List[Call]:
        """Recorded calls to `platform` whose body has all of `fields`."""
        return [call for call in list(self.calls)
                if call.platform == platform and all(call.body.get(k) == v for k, v in fields.items())]

    def wait_for(self, platform: str, count: int = 1, timeout: float = 60, **fields: Any) -> List[Call]:
        """Poll until at least `count` matching calls were recorded."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.calls_where(platform, **fields)
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.05)

    async def _serve(self) -> None:
        app = web.Application()
        app.add_routes([
            web.post("/telegram/bot{token}/{method}", self._telegram),
            web.post("/twilio/2010-04-01/Accounts/{sid}/Messages.json", self._twilio),
            web.post("/facebook/v19.0/me/messages", self._facebook),
            web.post("/slack/api/{method}", self._slack),
        ])
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"

    def _record(self, platform: str, method: str, body: Dict[str, Any]) -> None:
        self.calls.append(Call(platform, method, body))

    async def _telegram(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.credentials.telegram_token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method, body = request.match_info["method"], await request.json()
        if method == "setWebhook" and not str(body.get("url", "")).startswith("https://"):
            return web.json_response({"ok": False, "error_code": 400,
                                      "description": "Bad Request: bad webhook: An HTTPS URL must be provided for webhook"},
                                     status=400)
        self._record("telegram", method, body)
        if method == "sendMessage":
            result: Any = {"message_id": next(self._ids), "date": int(time.time()),
                           "chat": {"id": body["chat_id"], "type": "private"}, "text": body["text"]}
        else:
            result = True
        return web.json_response({"ok": True, "result": result})

    async def _twilio(self, request: web.Request) -> web.Response:
        expected = BasicAuth(self.credentials.twilio_account_sid, self.credentials.twilio_auth_token).encode()
        if request.headers.get("Authorization") != expected or request.match_info["sid"] != self.credentials.twilio_account_sid:
            return web.json_response({"code": 20003, "message": "Authenticate", "status": 401}, status=401)
        form = dict(await request.post())
        self._record("twilio", "Messages.json", form)
        return web.json_response({"sid": f"SM{next(self._ids):032d}", "status": "queued", "to": form["To"],
                                  "from": form["From"], "body": form["Body"]}, status=201)

    async def _facebook(self, request: web.Request) -> web.Response:
        token = request.query.get("access_token", "")
        proof = hmac.new(self.credentials.facebook_app_secret.encode(), token.encode(), hashlib.sha256).hexdigest()
        if token != self.credentials.facebook_page_token or request.query.get("appsecret_proof") != proof:
            return web.json_response({"error": {"message": "Invalid OAuth access token.", "type": "OAuthException",
                                                "code": 190}}, status=400)
        body = await request.json()
        self._record("facebook", "me/messages", body)
        return web.json_response({"recipient_id": body["recipient"]["id"], "message_id": f"m_{next(self._ids)}"})

    async def _slack(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.credentials.slack_bot_token}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        method, body = request.match_info["method"], await request.json()
        self._record("slack", method, body)
        return web.json_response({"ok": True, "channel": body.get("channel"), "ts": f"{time.time():.6f}",
                                  "message": {"type": "message", "text": body.get("text")}})


def wait_until(condition: Callable[[], bool], timeout: float = 60) -> bool:
    """Poll `condition` until it holds or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
