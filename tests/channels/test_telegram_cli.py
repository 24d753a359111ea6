"""`intake telegram set-webhook` registers the webhook and its secret token with (a fake) Telegram."""
import pytest

from bot.cli import main
from tests.channels.conftest import CREDENTIALS, TELEGRAM_SECRET

PUBLIC_URL = "https://intake.example.org/webhooks/telegram/webhook"


@pytest.fixture
def telegram_env(monkeypatch, fake_platforms):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", CREDENTIALS.telegram_token)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", TELEGRAM_SECRET)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", fake_platforms.env()["TELEGRAM_API_BASE_URL"])
    monkeypatch.delenv("TELEGRAM_WEBHOOK_URL", raising=False)
    return monkeypatch


def test_set_webhook_registers_the_url_with_the_secret_token(telegram_env, fake_platforms, capsys):
    telegram_env.setenv("TELEGRAM_WEBHOOK_URL", PUBLIC_URL)
    assert main(["telegram", "set-webhook"]) == 0
    assert fake_platforms.calls_where("telegram", url=PUBLIC_URL)[-1].body == {
        "url": PUBLIC_URL, "secret_token": TELEGRAM_SECRET, "allowed_updates": ["message", "callback_query"],
    }
    assert PUBLIC_URL in capsys.readouterr().out


def test_the_url_option_wins_over_the_variable(telegram_env, fake_platforms):
    telegram_env.setenv("TELEGRAM_WEBHOOK_URL", "https://old.example.org/webhooks/telegram/webhook")
    assert main(["telegram", "set-webhook", "--url", PUBLIC_URL + "?v=2"]) == 0
    assert fake_platforms.calls_where("telegram", url=PUBLIC_URL + "?v=2")


def test_telegram_refusing_is_reported_with_its_reason(telegram_env, fake_platforms, capsys):
    assert main(["telegram", "set-webhook", "--url", "http://intake.example.org/hook"]) == 1
    assert "An HTTPS URL must be provided" in capsys.readouterr().err


def test_a_wrong_token_is_reported_without_showing_it(telegram_env, capsys):
    telegram_env.setenv("TELEGRAM_BOT_TOKEN", "999:not-our-bot")
    assert main(["telegram", "set-webhook", "--url", PUBLIC_URL]) == 1
    err = capsys.readouterr().err
    assert "Unauthorized" in err and "not-our-bot" not in err


def test_without_a_url_or_secret_nothing_is_sent(telegram_env, fake_platforms, capsys):
    before = len(fake_platforms.calls)
    assert main(["telegram", "set-webhook"]) == 2
    telegram_env.delenv("TELEGRAM_WEBHOOK_SECRET")
    assert main(["telegram", "set-webhook", "--url", PUBLIC_URL]) == 2
    assert len(fake_platforms.calls) == before
    err = capsys.readouterr().err
    assert "TELEGRAM_WEBHOOK_URL" in err and "TELEGRAM_WEBHOOK_SECRET is not set" in err
