"""python -m bot.console --port N [--host H]: serve the staff console."""
import argparse
import logging
import os

from aiohttp import web

from bot.console.app import create_app
from bot.console.settings import ConsoleSettings
from bot.database import open_database
from bot.settings import Settings

parser = argparse.ArgumentParser(description="Serve the staff console.")
parser.add_argument("--port", type=int)
parser.add_argument("--host", default=os.environ.get("STAFF_HOST", "127.0.0.1"),
                    help="address to listen on (default STAFF_HOST or 127.0.0.1; put a TLS proxy in front)")
args = parser.parse_args()
logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
settings = Settings.from_env()
app = create_app(open_database(settings.database_url), settings, ConsoleSettings.from_env())
# No access log: URLs carry search terms, which can be names.
web.run_app(app, host=args.host, port=args.port or settings.staff_port, access_log=None)
