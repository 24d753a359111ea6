"""A platform is on only with its environment variables; Rasa starts cleanly with none of them set."""
import logging
import os

import pytest
from rasa.core.run import create_http_input_channels
from sanic import Sanic

from bot.channels.platform_settings import ChannelOff, load_settings
from bot.channels.slack import SlackSettings
from bot.channels.telegram_api import TelegramSettings
from bot.channels.twilio import TwilioSettings
from bot.channels.webhook import OffChannel
from bot.settings import PROJECT_ROOT

PLATFORMS = ("telegram", "twilio", "facebook", "slack")


def test_settings_come_from_the_environment_with_defaults_for_api_urls():
    settings = load_settings(TwilioSettings, "twilio", {
        "TWILIO_ACCOUNT_SID": "AC1", "TWILIO_AUTH_TOKEN": " token ", "TWILIO_WEBHOOK_URL": "https://x/webhook",
    })
    assert settings == TwilioSettings("AC1", "token", "https://x/webhook", "https://api.twilio.com")


def test_a_platform_without_variables_is_off_quietly():
    with pytest.raises(ChannelOff) as off:
        load_settings(SlackSettings, "slack", {"SLACK_API_BASE_URL": "http://127.0.0.1:1/"})
    assert not off.value.partly_configured
    assert off.value.reason() == "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not set"


def test_a_half_configured_platform_is_off_with_a_warning_naming_what_is_missing(caplog):
    with pytest.raises(ChannelOff) as off:
        load_settings(SlackSettings, "slack", {"SLACK_BOT_TOKEN": "xoxb-secret-value"})
    off.value.log()
    assert caplog.records[-1].levelno == logging.WARNING
    assert "SLACK_SIGNING_SECRET is not set" in caplog.text
    assert "xoxb-secret-value" not in caplog.text


@pytest.mark.parametrize("secret", ["has spaces", "x" * 257, "ümlaut"])
def test_a_telegram_secret_telegram_would_refuse_turns_the_channel_off(secret):
    with pytest.raises(ChannelOff) as off:
        load_settings(TelegramSettings, "telegram", {"TELEGRAM_BOT_TOKEN": "1:x", "TELEGRAM_WEBHOOK_SECRET": secret})
    assert "TELEGRAM_WEBHOOK_SECRET" in off.value.reason() and secret not in off.value.reason()


def test_project_credentials_load_with_every_platform_off_when_nothing_is_set(monkeypatch, caplog):
    for name in [name for name in os.environ if name.split("_")[0] in ("TELEGRAM", "TWILIO", "FACEBOOK", "SLACK")]:
        monkeypatch.delenv(name)
    caplog.set_level(logging.INFO)
    channels = create_http_input_channels(None, str(PROJECT_ROOT / "credentials.yml"))
    off = [channel for channel in channels if isinstance(channel, OffChannel)]
    assert sorted(channel.url_prefix() for channel in off) == sorted(PLATFORMS)
    app = Sanic("platforms_off")
    for channel in off:
        app.blueprint(channel.blueprint(on_new_message=None), url_prefix=f"/webhooks/{channel.url_prefix()}")
        assert sum(f"The {channel.url_prefix()} channel is off" in r.getMessage() for r in caplog.records) == 1
    assert not app.router.routes_all  # so every platform's webhook answers 404
