"""What the middlewares attach to each request: the signed-in staff member and the CSRF token."""
from __future__ import annotations

from typing import Optional

from aiohttp import web

from bot.console.sessions import Staff

STAFF = "console.staff"  # the signed-in Staff, or None
CSRF_TOKEN = "console.csrf_token"  # the token this browser's forms must send back
CSRF_FIELD = "csrf_token"  # the form field carrying it (or the X-CSRF-Token header)


def current_staff(request: web.Request) -> Optional[Staff]:
    """The signed-in staff member, or None on public routes."""
    return request.get(STAFF)


def signed_in_staff(request: web.Request) -> Staff:
    """The signed-in staff member; the access middleware guarantees one on non-public routes."""
    staff = request.get(STAFF)
    if staff is None:
        raise web.HTTPUnauthorized(text="Sign in first.")
    return staff
