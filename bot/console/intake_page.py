"""The intake page: summary, transcript (redacted unless an admin reveals it), workflow and notes."""
from __future__ import annotations

import asyncio
from typing import Callable

import aiohttp_jinja2
from aiohttp import web
from sqlalchemy.orm import Session

from bot.console.access import admin_only
from bot.console.audit import audit, record_audit
from bot.console.client_info import client_ip
from bot.console.errors import ConsoleError
from bot.console.intake_detail import load_intake
from bot.console.request_state import signed_in_staff
from bot.console.storage import database, in_transaction
from bot.console.transcript import read_turns, redact_turns
from bot.console.workflow import TRANSITIONS, IntakeMissing, WorkflowError, add_note, assign, change_status
from bot.redaction import redact

routes = web.RouteTableDef()

DONE_MESSAGES = {
    "status": "The status was changed.",
    "assignee": "The assignee was changed.",
    "note": "The note was added.",
}
NOT_FOUND = "There is no intake with this number; it may have been erased."


def _intake_id(request: web.Request) -> int:
    return int(request.match_info["intake_id"])


def _unchanged(text: str) -> str:
    return text


async def render_intake(request: web.Request, *, reveal: bool = False, error: str = "", draft: str = "",
                        status: int = 200) -> web.Response:
    """The intake page; personal data in the transcript and free text is masked unless `reveal`."""
    intake_id = _intake_id(request)
    detail = await in_transaction(request, lambda session: load_intake(session, intake_id))
    if detail is None:
        raise ConsoleError(404, NOT_FOUND)
    mask: Callable[[str], str] = _unchanged if reveal else redact

    def transcript() -> list:
        turns = read_turns(database(request).engine, detail.record.sender_id)
        return turns if reveal else redact_turns(turns, redact)

    loop = asyncio.get_running_loop()
    turns = await loop.run_in_executor(None, transcript)
    preferences = await loop.run_in_executor(None, detail.preferences, mask)
    context = {
        "intake": detail.record, "detail": detail, "turns": turns, "preferences": preferences,
        "revealed": reveal, "next_statuses": TRANSITIONS.get(detail.record.review_status, ()),
        "error": error, "draft": draft, "done": DONE_MESSAGES.get(request.query.get("done", ""), ""),
    }
    return aiohttp_jinja2.render_template("intake.html", request, context, status=status)


@routes.get(r"/intakes/{intake_id:\d+}", name="intake")
async def intake(request: web.Request) -> web.Response:
    """The intake, with its transcript redacted (audited as a view)."""
    response = await render_intake(request)
    await audit(request, "view", f"intake:{_intake_id(request)}")
    return response


@routes.get(r"/intakes/{intake_id:\d+}/reveal", name="intake_reveal")
@admin_only
async def reveal(request: web.Request) -> web.Response:
    """The intake with personal data shown (admins only; audited as a reveal)."""
    response = await render_intake(request, reveal=True)
    await audit(request, "reveal", f"intake:{_intake_id(request)}")
    return response


async def _apply(request: web.Request, action: str, detail: str, change: Callable[[Session], None],
                 done: str, draft: str = "") -> web.Response:
    """Make one change and its audit entry in one transaction, then go back to the page."""
    intake_id = _intake_id(request)
    actor, ip = signed_in_staff(request).email, client_ip(request)

    def work(session: Session) -> None:
        change(session)
        record_audit(session, actor, action, f"intake:{intake_id} {detail}".strip(), ip)

    try:
        await in_transaction(request, work)
    except IntakeMissing:
        raise ConsoleError(404, NOT_FOUND) from None
    except WorkflowError as problem:
        return await render_intake(request, error=str(problem), draft=draft, status=409)
    raise web.HTTPSeeOther(f"/intakes/{intake_id}?done={done}")


@routes.post(r"/intakes/{intake_id:\d+}/status", name="intake_status")
async def set_status(request: web.Request) -> web.Response:
    """Move the intake one step along the workflow."""
    form = await request.post()
    seen, new = str(form.get("current", "")), str(form.get("status", ""))
    return await _apply(request, "status_change", f"{seen}->{new}"[:60],
                        lambda session: change_status(session, _intake_id(request), seen, new), "status")


@routes.post(r"/intakes/{intake_id:\d+}/assignee", name="intake_assignee")
async def set_assignee(request: web.Request) -> web.Response:
    """Assign the intake to a staff member, or unassign it."""
    email = str((await request.post()).get("assignee", "")).strip() or None
    return await _apply(request, "assign", f"to {email or 'nobody'}",
                        lambda session: assign(session, _intake_id(request), email), "assignee")


@routes.post(r"/intakes/{intake_id:\d+}/notes", name="intake_notes")
async def post_note(request: web.Request) -> web.Response:
    """Add a note; a refused note is shown again so nothing typed is lost."""
    body = str((await request.post()).get("body", ""))
    author = signed_in_staff(request).email
    return await _apply(request, "add_note", "",
                        lambda session: add_note(session, _intake_id(request), author, body), "note", draft=body)
