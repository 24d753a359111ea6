"""python -m bot.action_server --actions actions --port N: rasa-sdk's action server, production-ready.

Three changes to `rasa run actions`:
- GET /health checks the application database with a real query (rasa-sdk's
  only says the process is up);
- an action may take at most `Settings.action_timeout` seconds, safely less than
  the conversation lock's lifetime (TICKET_LOCK_LIFETIME), so a slow action can
  never let a second message of the same person run alongside it;
- an error answer carries no data: rasa-sdk's echoes the request body (the
  whole conversation), which Rasa then writes into its log.
"""
from __future__ import annotations

import logging
import os
import traceback
from typing import Optional

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app as create_sdk_app
from rasa_sdk.endpoint import create_argument_parser
from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.db import create_engine
from bot.health import Report, check_sql, in_thread
from bot.settings import Settings

logger = logging.getLogger(__name__)


def create_app(actions_package: str, settings: Settings) -> Sanic:
    """rasa-sdk's app for `actions_package` with the project's health check, time limit and error answers."""
    app = create_sdk_app(actions_package, cors_origins=None)
    app.config.RESPONSE_TIMEOUT = settings.action_timeout
    database = create_engine(settings.database_url)

    async def health(request: Request) -> Optional[HTTPResponse]:
        # A request middleware: rasa-sdk already owns the /health route.
        if request.path != "/health":
            return None
        report = Report({"database": await in_thread(check_sql, database)})
        return response.json(report.as_dict(), status=report.http_status)

    def error_answer(request: Request, error: Exception) -> HTTPResponse:
        if isinstance(error, SanicException):
            return response.json({"error": str(error)}, status=error.status_code)
        # The type and frames only: the message could quote the conversation.
        logger.error("Unhandled %s in %s %s\n%s", type(error).__name__, request.method, request.path,
                     "".join(traceback.format_tb(error.__traceback__)))
        return response.json({"error": "The action failed; see the action server's log."}, status=500)

    app.register_middleware(health, "request")
    app.error_handler.add(Exception, error_answer)
    return app


def main() -> None:
    """Parse rasa-sdk's command line and serve."""
    args = create_argument_parser().parse_args()
    utils.configure_colored_logging(args.loglevel)
    utils.update_sanic_log_level()
    app = create_app(args.actions, Settings.from_env())
    host = os.environ.get("SANIC_HOST", "0.0.0.0")
    logger.info("Action server listening on %s:%s", host, args.port)
    app.run(host, args.port, workers=utils.number_of_sanic_workers(), access_log=False)


if __name__ == "__main__":
    main()
