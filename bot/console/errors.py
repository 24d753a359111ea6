"""Error pages: plain HTML answers for refused, missing and failed requests, without leaking data."""
from __future__ import annotations

import logging
import traceback

import aiohttp_jinja2
from aiohttp import web
from aiohttp.typedefs import Handler

from bot.console.page import page_context

log = logging.getLogger(__name__)

DEFAULT_MESSAGES = {
    400: "The request could not be understood.",
    403: "You do not have access to this page.",
    404: "There is nothing at this address.",
    405: "This address does not accept that kind of request.",
    413: "The upload is too large.",
    500: "Something went wrong on our side. Nothing you entered was changed; please try again.",
}


class ConsoleError(Exception):
    """Raise from a handler to answer with an error page: a status and one plain sentence."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


async def render_error(request: web.Request, status: int, message: str) -> web.Response:
    """The error page (HTML) for `status`."""
    context = {**await page_context(request), "status": status, "message": message}
    return aiohttp_jinja2.render_template("error.html", request, context, status=status)


@web.middleware
async def error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn ConsoleError, bare HTTP errors and crashes into error pages; log no request data."""
    try:
        return await handler(request)
    except ConsoleError as error:
        return await render_error(request, error.status, error.message)
    except web.HTTPException as error:
        if error.status not in DEFAULT_MESSAGES:
            raise  # redirects, 401s and statuses without a page of their own pass through
        default_text = f"{error.status}: {error.reason}"
        custom = error.content_type == "text/plain" and error.text not in (None, default_text)
        return await render_error(request, error.status, error.text if custom else DEFAULT_MESSAGES[error.status])
    except Exception as error:  # noqa: BLE001 - last resort: a page instead of a bare 500
        # The exception's message may quote query parameters (health data): log its type and frames only.
        route = request.match_info.route.name or request.match_info.route.resource.canonical
        log.error("Unhandled %s in %s %s\n%s", type(error).__name__, request.method, route,
                  "".join(traceback.format_tb(error.__traceback__)))
        return await render_error(request, 500, DEFAULT_MESSAGES[500])
