import pytest

from bot.settings import DEFAULT_DATABASE_URL, Settings, SettingsError


def test_defaults_follow_the_contract():
    settings = Settings.from_env({})
    assert (settings.rasa_port, settings.actions_port, settings.web_port, settings.staff_port) == (5005, 5055, 8000, 8001)
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert DEFAULT_DATABASE_URL.startswith("sqlite:///") and DEFAULT_DATABASE_URL.endswith("var/intake.db")
    assert settings.rasa_auth_token is None


def test_environment_overrides_defaults():
    settings = Settings.from_env({"RASA_PORT": "6000", "INTAKE_DATABASE_URL": "sqlite:////tmp/x.db", "RASA_AUTH_TOKEN": "t"})
    assert settings.rasa_port == 6000
    assert settings.database_url == "sqlite:////tmp/x.db"
    assert settings.rasa_auth_token == "t"


@pytest.mark.parametrize("bad", ["abc", "0", "70000", "-1", "50.5"])
def test_a_bad_port_is_explained(bad):
    with pytest.raises(SettingsError, match="RASA_PORT must be a port number"):
        Settings.from_env({"RASA_PORT": bad})
