"""What the console knows about the client: its address and whether it came over HTTPS."""
from __future__ import annotations

from aiohttp import web

from bot.console.settings import ConsoleSettings

CONSOLE_SETTINGS = web.AppKey("console_settings", ConsoleSettings)


def _forwarded(request: web.Request, header: str) -> str:
    """The value the trusted proxy appended last to `header` ('' when untrusted or absent)."""
    if not request.app[CONSOLE_SETTINGS].trust_proxy:
        return ""
    return request.headers.get(header, "").split(",")[-1].strip()


def client_ip(request: web.Request) -> str:
    """The client's address: the proxy's X-Forwarded-For entry when trusted, else the peer."""
    return (_forwarded(request, "X-Forwarded-For") or request.remote or "")[:64]


def is_https(request: web.Request) -> bool:
    """Whether cookies must be Secure: configured so, or the request came over HTTPS."""
    if request.app[CONSOLE_SETTINGS].secure_cookies:
        return True
    return (_forwarded(request, "X-Forwarded-Proto") or request.scheme).lower() == "https"


def set_cookie(request: web.Request, response: web.StreamResponse, name: str, value: str) -> None:
    """Set a browser-session cookie that scripts cannot read and other sites never send."""
    response.set_cookie(name, value, path="/", httponly=True, samesite="Strict", secure=is_https(request))


def delete_cookie(request: web.Request, response: web.StreamResponse, name: str) -> None:
    """Expire a cookie set by set_cookie."""
    response.set_cookie(name, "", path="/", max_age=0, httponly=True, samesite="Strict", secure=is_https(request))
