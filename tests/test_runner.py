"""`make run`'s start-up checks: plain sentences, not tracebacks."""
import socket

import pytest

from bot.runner import StartError, check_model, check_ports, services
from bot.settings import PROJECT_ROOT, Settings


def test_a_missing_model_says_to_train(tmp_path):
    with pytest.raises(StartError, match=r"No trained model at .*: run 'make train' first\."):
        check_model(PROJECT_ROOT / "models" / "does-not-exist.tar.gz")


def test_a_busy_port_names_the_service_and_the_setting():
    with socket.socket() as busy:
        busy.bind(("0.0.0.0", 0))
        busy.listen()
        port = busy.getsockname()[1]
        wanted = services(Settings.from_env({"RASA_PORT": str(port)}))
        with pytest.raises(StartError, match=rf"Port {port} \(rasa\) is already in use: .* RASA_PORT="):
            check_ports(wanted)


def test_the_http_api_is_only_on_behind_a_token():
    without = next(s for s in services(Settings.from_env({})) if s.name == "rasa")
    assert "--enable-api" not in without.argv
    with_token = next(s for s in services(Settings.from_env({"RASA_AUTH_TOKEN": "s3cret"})) if s.name == "rasa")
    assert with_token.argv[-2:] == ["--enable-api", "--auth-token=s3cret"]


def test_a_token_starting_with_a_dash_reaches_rasa_whole():
    from rasa.__main__ import create_argument_parser

    rasa = next(s for s in services(Settings.from_env({"RASA_AUTH_TOKEN": "-dash-first"})) if s.name == "rasa")
    assert create_argument_parser().parse_args(rasa.argv[1:]).auth_token == "-dash-first"
