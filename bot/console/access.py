"""Who may reach a route: declared on the handler with @public or @admin_only; staff by default."""
from __future__ import annotations

import enum
from typing import Callable, TypeVar

from aiohttp import web

Handler = TypeVar("Handler", bound=Callable)


class Access(enum.Enum):
    PUBLIC = "public"  # anyone, signed in or not
    STAFF = "staff"  # any signed-in staff member (the default)
    ADMIN = "admin"  # signed-in admins only


ACCESS_ATTRIBUTE = "console_access"


def public(handler: Handler) -> Handler:
    """Mark a handler as reachable without signing in."""
    setattr(handler, ACCESS_ATTRIBUTE, Access.PUBLIC)
    return handler


def admin_only(handler: Handler) -> Handler:
    """Mark a handler as reachable by admins only."""
    setattr(handler, ACCESS_ATTRIBUTE, Access.ADMIN)
    return handler


def is_static(request: web.Request) -> bool:
    """Whether the request is for a static file."""
    return request.match_info.http_exception is None and isinstance(request.match_info.route.resource, web.StaticResource)


def route_access(request: web.Request) -> Access:
    """The access level of the route the request matched (static files are public)."""
    if request.match_info.http_exception is not None:
        return Access.STAFF  # unknown paths: sign in first, then a plain 404
    if is_static(request):
        return Access.PUBLIC
    return getattr(request.match_info.handler, ACCESS_ATTRIBUTE, Access.STAFF)
