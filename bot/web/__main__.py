"""python -m bot.web --port N: the chat widget and its demo page."""
import argparse
import sys

from aiohttp import web

from bot.settings import Settings, SettingsError
from bot.web.server import WidgetNotBuilt, create_app


def main() -> int:
    parser = argparse.ArgumentParser(description="Serve the chat widget and its demo page.")
    parser.add_argument("--port", type=int, help="port to listen on (default: WEB_PORT, else 8000)")
    args = parser.parse_args()
    try:
        settings = Settings.from_env()
        app = create_app(settings)
    except (SettingsError, WidgetNotBuilt) as error:
        print(error, file=sys.stderr)
        return 1
    # No access log: visitors' addresses next to their visit times are personal data.
    web.run_app(app, port=args.port or settings.web_port, access_log=None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
