"""`make run-prod`'s start-up: the topology, clear errors for missing dependencies, nginx's configuration,
and the supervisor that restarts a crashed Rasa server."""
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request

import pytest

from bot import proxy
from bot.runner import MODEL, StartError, check_dependencies, check_topology, prepare_proxy, services
from bot.settings import PROJECT_ROOT, Settings
from tests.integration.servers import free_port
from tests.prod.cluster import free_ports_in_a_row

POSTGRES_URL = "postgresql://intake:secret@127.0.0.1:5432/intake"


def test_production_refuses_sqlite_and_says_what_to_set():
    with pytest.raises(StartError, match=r"production profile keeps conversations in PostgreSQL: set INTAKE_DATABASE_URL=postgresql://"):
        check_topology(Settings.from_env({}), production=True)


def test_several_rasa_servers_need_redis_locks():
    settings = Settings.from_env({"INTAKE_DATABASE_URL": POSTGRES_URL, "RASA_INSTANCES": "3"})
    with pytest.raises(StartError, match=r"only with Redis locks: set INTAKE_REDIS_URL=redis://"):
        check_topology(settings, production=False)
    check_topology(Settings.from_env({"INTAKE_DATABASE_URL": POSTGRES_URL, "INTAKE_REDIS_URL": "redis://127.0.0.1/0"}),
                   production=True)


def test_the_production_topology_puts_rasa_servers_on_loopback_behind_nginx(tmp_path):
    settings = Settings.from_env({"RASA_PORT": "7000", "RASA_INSTANCES": "3", "INTAKE_DATABASE_URL": POSTGRES_URL,
                                  "INTAKE_REDIS_URL": "redis://127.0.0.1/0"})
    if shutil.which("nginx") is None and not os.path.exists("/usr/sbin/nginx"):
        pytest.skip("nginx is not installed")
    wanted = {s.name: s for s in services(settings, production=True, proxy_dir=tmp_path)}
    assert list(wanted) == ["actions", "rasa-1", "rasa-2", "rasa-3", "proxy", "web", "staff"]
    for number in (1, 2, 3):
        rasa = wanted[f"rasa-{number}"]
        assert rasa.port == 7000 + number and rasa.restartable
        assert rasa.argv[rasa.argv.index("--interface") + 1] == "127.0.0.1"
    assert wanted["proxy"].port == 7000 and wanted["proxy"].argv[-4:] == ["-c", str(tmp_path / "nginx.conf"), "-e", "stderr"]
    assert wanted["actions"].env == {"SANIC_HOST": "127.0.0.1"} and not wanted["actions"].restartable
    development = [s.name for s in services(Settings.from_env({}))]
    assert development == ["actions", "rasa", "web", "staff"]


def test_unreachable_database_and_redis_are_named(postgres, redis_server):
    check_dependencies(Settings.from_env({"INTAKE_DATABASE_URL": postgres.url, "INTAKE_REDIS_URL": redis_server.url}))
    closed = free_port()
    with pytest.raises(StartError) as failed:
        check_dependencies(Settings.from_env({
            "INTAKE_DATABASE_URL": f"postgresql://intake:hunter2@127.0.0.1:{closed}/intake",
            "INTAKE_REDIS_URL": redis_server.url,
        }))
    assert str(failed.value).startswith(
        f"Cannot reach the PostgreSQL database intake at 127.0.0.1:{closed} (INTAKE_DATABASE_URL): ")
    assert "Redis" not in str(failed.value) and "hunter2" not in str(failed.value)
    with pytest.raises(StartError, match=rf"^Cannot reach Redis at 127\.0\.0\.1:{closed} \(INTAKE_REDIS_URL\): "):
        check_dependencies(Settings.from_env({"INTAKE_DATABASE_URL": postgres.url,
                                              "INTAKE_REDIS_URL": f"redis://127.0.0.1:{closed}/0"}))


@pytest.mark.skipif(not MODEL.is_file(), reason="needs the trained model (make train)")
def test_make_run_prod_stops_at_once_with_the_reason(postgres):
    closed = free_port()
    env = {**os.environ, "INTAKE_DATABASE_URL": postgres.url, "INTAKE_REDIS_URL": f"redis://127.0.0.1:{closed}/0"}
    result = subprocess.run([sys.executable, "-m", "bot.runner", "--production"], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip() == (f"Cannot reach Redis at 127.0.0.1:{closed} (INTAKE_REDIS_URL): "
                                     f"ConnectionError: Error 111 connecting to 127.0.0.1:{closed}. Connection refused.")


def _self_signed(tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
                    "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
                   check=True, capture_output=True)
    return {"INTAKE_TLS_CERTIFICATE": str(tmp_path / "cert.pem"), "INTAKE_TLS_KEY": str(tmp_path / "key.pem")}


@pytest.mark.parametrize("https", [False, True], ids=["http", "https"])
def test_nginx_accepts_the_generated_configuration(tmp_path, https, redis_server):
    try:
        proxy.nginx_binary()
    except proxy.ProxyError as missing:
        pytest.skip(str(missing))
    settings = Settings.from_env({"RASA_PORT": str(free_port()), "RASA_INSTANCES": "2",
                                  **(_self_signed(tmp_path) if https else {})})
    prepare_proxy(settings, production=True, runtime_dir=tmp_path / "nginx")  # runs nginx -t
    config = (tmp_path / "nginx" / "nginx.conf").read_text()
    assert f"server 127.0.0.1:{settings.rasa_port + 2} " in config
    assert ("ssl_certificate " in config) == https
    assert "ip_hash;" in config and "proxy_set_header Upgrade $http_upgrade;" in config


# A stand-in service: writes its pid to a file, then answers HTTP on a port.
SERVE = textwrap.dedent("""
    import http.server, os, sys
    with open(sys.argv[2], "a") as pids:
        pids.write(f"{os.getpid()}\\n")
    http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), http.server.SimpleHTTPRequestHandler).serve_forever()
""")
# The runner's supervisor with a restartable "rasa-1" and an ordinary "web" stand-in.
SUPERVISE = textwrap.dedent("""
    import asyncio, sys
    from bot.runner import Service, run_services
    from bot.settings import Settings
    serve, (rasa_port, web_port), (rasa_pids, web_pids) = sys.argv[1], sys.argv[2:4], sys.argv[4:6]
    wanted = [Service("rasa-1", int(rasa_port), [sys.executable, serve, rasa_port, rasa_pids], "/", "RASA_PORT",
                      restartable=True),
              Service("web", int(web_port), [sys.executable, serve, web_port, web_pids], "/", "WEB_PORT")]
    sys.exit(asyncio.run(run_services(Settings.from_env({}), wanted)))
""")


def _pids(path):
    return path.read_text().split() if path.exists() else []


def _wait_for(condition, what, timeout=120):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        time.sleep(0.1)


def _answers(port):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def test_a_crashed_rasa_server_is_restarted_but_any_other_crash_stops_everything(tmp_path):
    first = free_ports_in_a_row(2)
    rasa_pids, web_pids = tmp_path / "rasa.pids", tmp_path / "web.pids"
    serve = tmp_path / "serve.py"
    serve.write_text(SERVE)
    runner = subprocess.Popen(
        [sys.executable, "-c", SUPERVISE, str(serve), str(first), str(first + 1), str(rasa_pids), str(web_pids)],
        cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = []
    threading.Thread(target=lambda: output.extend(runner.stdout), daemon=True).start()
    try:
        _wait_for(lambda: any("Press Ctrl-C" in line for line in output), "the runner reports every service ready")
        os.kill(int(_pids(rasa_pids)[0]), signal.SIGKILL)
        _wait_for(lambda: len(_pids(rasa_pids)) == 2 and _answers(first), "rasa-1 is back")
        assert runner.poll() is None and _answers(first + 1)
        os.kill(int(_pids(web_pids)[0]), signal.SIGKILL)
        assert runner.wait(timeout=60) == 1
    finally:
        if runner.poll() is None:
            runner.kill()
    text = "".join(output)
    assert "The rasa-1 service stopped unexpectedly; restarting it while the others keep serving." in text
    assert "The web service stopped unexpectedly; stopping the others." in text
    assert not _answers(first)
