"""The console's middlewares: security headers, sessions, access rules and CSRF checks."""
from __future__ import annotations

import hmac
from typing import Optional
from urllib.parse import quote

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.console.access import Access, is_static, route_access
from bot.console.client_info import CONSOLE_SETTINGS, delete_cookie, set_cookie
from bot.console.clock import utcnow
from bot.console.request_state import CSRF_FIELD, CSRF_TOKEN, STAFF
from bot.console.sessions import SESSION_COOKIE, ActiveSession, new_token, resume_session
from bot.console.storage import in_transaction

# Signed-out browsers get their own CSRF token in this cookie (double submit), for the sign-in form.
ANONYMOUS_CSRF_COOKIE = "intake_staff_csrf"
STATE_CHANGING_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FAILURE = "This form has expired or came from another site. Go back, reload the page and try again."

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Add a strict CSP and friends; pages with health data are never cached."""
    try:
        response = await handler(request)
    except web.HTTPException as error:
        _add_headers(request, error)
        raise
    _add_headers(request, response)
    return response


def _add_headers(request: web.Request, response: web.StreamResponse) -> None:
    if response.prepared:
        return
    response.headers.update(SECURITY_HEADERS)
    if not is_static(request):
        response.headers["Cache-Control"] = "no-store"


@web.middleware
async def sessions(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Attach the signed-in staff member (or None) and the CSRF token to the request."""
    if is_static(request):
        return await handler(request)
    token = request.cookies.get(SESSION_COOKIE)
    active = await _resume(request, token) if token else None
    request[STAFF] = active.staff if active else None
    anonymous_csrf = request.cookies.get(ANONYMOUS_CSRF_COOKIE) or new_token()
    request[CSRF_TOKEN] = active.csrf_token if active else anonymous_csrf
    try:
        response = await handler(request)
    except web.HTTPException as error:
        _update_cookies(request, error, token, active, anonymous_csrf)
        raise
    _update_cookies(request, response, token, active, anonymous_csrf)
    return response


async def _resume(request: web.Request, token: str) -> Optional[ActiveSession]:
    settings = request.app[CONSOLE_SETTINGS]
    return await in_transaction(request, lambda session: resume_session(
        session, token, utcnow(), settings.idle_timeout, settings.max_session_age))


def _update_cookies(request: web.Request, response: web.StreamResponse, token: Optional[str],
                    active: Optional[ActiveSession], anonymous_csrf: str) -> None:
    """Drop a dead session cookie; give signed-out browsers their CSRF cookie."""
    if response.prepared or SESSION_COOKIE in response.cookies:
        return  # a streamed response, or sign-in/sign-out already set the session cookie
    if token and active is None:
        delete_cookie(request, response, SESSION_COOKIE)
    if active is None and request.cookies.get(ANONYMOUS_CSRF_COOKIE) != anonymous_csrf:
        set_cookie(request, response, ANONYMOUS_CSRF_COOKIE, anonymous_csrf)


@web.middleware
async def require_access(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every route needs a signed-in staff member unless @public; @admin_only routes need an admin."""
    access = route_access(request)
    if access is Access.PUBLIC:
        return await handler(request)
    staff = request[STAFF]
    if staff is None:
        if request.method in ("GET", "HEAD"):
            raise web.HTTPSeeOther(f"/sign-in?next={quote(request.path_qs, safe='')}")
        raise web.HTTPUnauthorized(text="Sign in first.")
    if access is Access.ADMIN and not staff.is_admin:
        raise web.HTTPForbidden()
    return await handler(request)


@web.middleware
async def check_csrf(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Refuse a state-changing request unless it carries this browser's CSRF token."""
    if request.method in STATE_CHANGING_METHODS:
        supplied = request.headers.get("X-CSRF-Token")
        if supplied is None and request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            supplied = (await request.post()).get(CSRF_FIELD)
        if not isinstance(supplied, str) or not hmac.compare_digest(supplied.encode(), request[CSRF_TOKEN].encode()):
            raise web.HTTPForbidden(text=CSRF_FAILURE)
    return await handler(request)
