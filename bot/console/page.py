"""What every page template gets: the staff member, the CSRF token and the navigation."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List

from aiohttp import web

from bot.console.request_state import CSRF_FIELD, CSRF_TOKEN, current_staff


@dataclass(frozen=True)
class NavLink:
    """One entry of the main navigation."""

    label: str
    href: str
    admin_only: bool = False


NAV: List[NavLink] = [
    NavLink("Inbox", "/"),
    NavLink("Live", "/live"),
    NavLink("Catalog", "/catalog"),
    NavLink("Dashboard", "/dashboard"),
    NavLink("Audit", "/audit", admin_only=True),
]


def _is_current(link: NavLink, path: str) -> bool:
    if link.href == "/":
        return path == "/" or path.startswith("/intakes")
    return path == link.href or path.startswith(link.href + "/")


async def page_context(request: web.Request) -> Dict[str, Any]:
    """The variables base.html needs (an aiohttp-jinja2 context processor)."""
    staff = current_staff(request)
    links = [link for link in NAV if staff is not None and (staff.is_admin or not link.admin_only)]
    return {
        "staff": staff,
        "csrf_token": request.get(CSRF_TOKEN, ""),
        "csrf_field": CSRF_FIELD,
        "nav": [(link, _is_current(link, request.path)) for link in links],
    }
