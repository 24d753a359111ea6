"""Fixtures for the messaging platform tests: test secrets and the fake platform APIs."""
import pytest

from tests.channels.fake_platforms import Credentials, FakePlatforms

CREDENTIALS = Credentials(
    telegram_token="123456789:TEST-telegram-bot-token",
    twilio_account_sid="AC" + "5" * 32,
    twilio_auth_token="test-twilio-auth-token",
    facebook_page_token="test-page-access-token",
    facebook_app_secret="test-facebook-app-secret",
    slack_bot_token="xoxb-test-slack-bot-token",
)
TELEGRAM_SECRET = "test-telegram-webhook-secret_1"
TWILIO_PUBLIC_URL = "https://intake.example.org/webhooks/twilio/webhook"
FACEBOOK_VERIFY_TOKEN = "test-facebook-verify-token"
SLACK_SIGNING_SECRET = "test-slack-signing-secret"


def platform_env(fake: FakePlatforms) -> dict:
    """Every platform on, with the test secrets, talking to `fake`."""
    return {
        "TELEGRAM_BOT_TOKEN": CREDENTIALS.telegram_token,
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "TWILIO_ACCOUNT_SID": CREDENTIALS.twilio_account_sid,
        "TWILIO_AUTH_TOKEN": CREDENTIALS.twilio_auth_token,
        "TWILIO_WEBHOOK_URL": TWILIO_PUBLIC_URL,
        "FACEBOOK_PAGE_ACCESS_TOKEN": CREDENTIALS.facebook_page_token,
        "FACEBOOK_APP_SECRET": CREDENTIALS.facebook_app_secret,
        "FACEBOOK_VERIFY_TOKEN": FACEBOOK_VERIFY_TOKEN,
        "SLACK_BOT_TOKEN": CREDENTIALS.slack_bot_token,
        "SLACK_SIGNING_SECRET": SLACK_SIGNING_SECRET,
        **fake.env(),
    }


@pytest.fixture(scope="module")
def fake_platforms():
    """The fake platform APIs on loopback, for one test module."""
    fake = FakePlatforms(CREDENTIALS).start()
    yield fake
    fake.stop()
