"""python -m bot.web --port N"""
import argparse

from aiohttp import web

from bot.settings import Settings
from bot.web.server import create_app

parser = argparse.ArgumentParser(description="Serve the chat page.")
parser.add_argument("--port", type=int)
args = parser.parse_args()
settings = Settings.from_env()
web.run_app(create_app(settings), port=args.port or settings.web_port, access_log=None)
