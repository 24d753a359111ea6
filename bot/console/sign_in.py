"""Signing in and out: argon2 passwords, server-side sessions, throttled failures, all audited."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Optional

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.orm import Session

from bot.console.access import public
from bot.console.audit import record_audit
from bot.console.client_info import CONSOLE_SETTINGS, client_ip, delete_cookie, set_cookie
from bot.console.clock import utcnow
from bot.console.passwords import verify_password
from bot.console.request_state import current_staff, signed_in_staff
from bot.console.sessions import SESSION_COOKIE, delete_expired_sessions, end_session, find_staff, start_session
from bot.console.staff_accounts import normalise_staff_email
from bot.console.storage import in_transaction
from bot.console.throttle import clear_failures, record_failure, recent_failures

routes = web.RouteTableDef()

# One message for every failure: it never says whether the account exists or is locked.
SIGN_IN_FAILED = (
    "Those details did not work, or there have been too many attempts. "
    "Check them and try again in a few minutes."
)
UNKNOWN_ACTOR = "(not an e-mail address)"


@dataclass(frozen=True)
class Candidate:
    """What is needed to judge one attempt, read in one short transaction."""

    staff_id: Optional[int]
    password_hash: Optional[str]
    locked: bool


def safe_next(target: str) -> str:
    """A local path to go to after signing in ('/' for anything that could leave the site)."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _render_form(request: web.Request, next_path: str, email: str = "", error: str = "",
                 status: int = 200) -> web.Response:
    context = {"next": next_path, "email": email, "error": error}
    return aiohttp_jinja2.render_template("sign_in.html", request, context, status=status)


@routes.get("/sign-in", name="sign_in")
@public
async def sign_in_form(request: web.Request) -> web.Response:
    """The sign-in form (signed-in staff go straight on)."""
    next_path = safe_next(request.query.get("next", "/"))
    if current_staff(request) is not None:
        raise web.HTTPSeeOther(next_path)
    return _render_form(request, next_path)


@routes.post("/sign-in", name="sign_in_submit")
@public
async def sign_in_submit(request: web.Request) -> web.Response:
    """Check the password; on success start a new session, on failure slow down and say little."""
    form = await request.post()
    typed_email = str(form.get("email", ""))[:300]
    password = str(form.get("password", ""))
    next_path = safe_next(str(form.get("next", "/")))
    email = normalise_staff_email(typed_email)
    key = email or typed_email.strip().lower()[:254]  # failures are counted even for malformed input
    actor = email or UNKNOWN_ACTOR
    ip = client_ip(request)
    policy = request.app[CONSOLE_SETTINGS].lockout

    def look_up(session: Session) -> Candidate:
        locked = recent_failures(session, policy, key, ip, utcnow()).locked(policy)
        staff = find_staff(session, email) if email and not locked else None
        return Candidate(staff.id if staff else None, staff.password_hash if staff else None, locked)

    candidate = await in_transaction(request, look_up)
    loop = asyncio.get_running_loop()
    # Locked or not, the answer costs one argon2 verification, so timing reveals nothing.
    matches = await loop.run_in_executor(None, verify_password, candidate.password_hash, password)
    if candidate.locked or not matches or candidate.staff_id is None:
        def fail(session: Session) -> float:
            now = utcnow()
            if not candidate.locked:
                record_failure(session, policy, key, ip, now)
            record_audit(session, actor, "sign_in_locked" if candidate.locked else "sign_in_failed", "", ip, now)
            return recent_failures(session, policy, key, ip, now).delay_seconds(policy)

        await asyncio.sleep(await in_transaction(request, fail))
        return _render_form(request, next_path, typed_email.strip(), SIGN_IN_FAILED, status=401)

    old_token = request.cookies.get(SESSION_COOKIE)

    def succeed(session: Session) -> str:
        now = utcnow()
        if old_token:
            end_session(session, old_token)  # never reuse a session id across sign-ins
        delete_expired_sessions(session, now, request.app[CONSOLE_SETTINGS].idle_timeout)
        clear_failures(session, key)
        token = start_session(session, candidate.staff_id, now)
        record_audit(session, actor, "sign_in", "", ip, now)
        return token

    token = await in_transaction(request, succeed)
    response = web.HTTPSeeOther(next_path)
    set_cookie(request, response, SESSION_COOKIE, token)
    raise response


@routes.post("/sign-out", name="sign_out")
async def sign_out(request: web.Request) -> web.Response:
    """End this session and go back to the sign-in form."""
    actor, ip = signed_in_staff(request).email, client_ip(request)
    token = request.cookies.get(SESSION_COOKIE, "")

    def finish(session: Session) -> None:
        end_session(session, token)
        record_audit(session, actor, "sign_out", "", ip)

    await in_transaction(request, finish)
    response = web.HTTPSeeOther("/sign-in")
    delete_cookie(request, response, SESSION_COOKIE)
    raise response
