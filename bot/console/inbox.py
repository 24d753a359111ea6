"""The inbox (GET /) and its CSV export (GET /intakes.csv)."""
from __future__ import annotations

import asyncio

import aiohttp_jinja2
from aiohttp import web

from bot.console.audit import audit
from bot.console.export import export_row, to_csv
from bot.console.inbox_filters import parse_filters
from bot.console.inbox_query import inbox_page, matching_records
from bot.console.storage import in_transaction
from bot.models import CONCERNS, REVIEW_STATUSES
from bot.redaction import redact

routes = web.RouteTableDef()


@routes.get("/", name="inbox")
async def inbox(request: web.Request) -> web.Response:
    """Every intake, filtered and searched, open crisis-flagged ones first."""
    filters, problems = parse_filters(request.query)
    page = await in_transaction(request, lambda session: inbox_page(session, filters))
    if page.page < filters.page:
        problems.append(f"There are only {page.pages} pages; showing the last one.")
    context = {
        "filters": filters, "problems": problems, "page": page,
        "statuses": REVIEW_STATUSES, "concerns": CONCERNS,
    }
    return aiohttp_jinja2.render_template("inbox.html", request, context, status=400 if problems else 200)


@routes.get("/intakes.csv", name="export")
async def export(request: web.Request) -> web.StreamResponse:
    """The filtered intakes as a redacted CSV file (audited)."""
    filters, problems = parse_filters(request.query)
    if problems:
        raise web.HTTPBadRequest(text=" ".join(problems))

    records = await in_transaction(request, lambda session: matching_records(session, filters))
    # Redaction runs spaCy: keep it, like the query, off the event loop and outside the transaction.
    body = await asyncio.get_running_loop().run_in_executor(
        None, lambda: to_csv(export_row(record, redact) for record in records))
    await audit(request, "export", f"intakes ({len(records)}) {filters.described()}")
    return web.Response(
        text=body, content_type="text/csv", charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="intakes.csv"'},
    )
