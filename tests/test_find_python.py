"""The set-up script finds a Python 3.10 by itself, or says what to install."""
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "find_python310.sh"


def _run(env):
    return subprocess.run(["bash", str(SCRIPT)], env=env, capture_output=True, text=True)


def test_finds_a_working_python_310_on_this_machine():
    import os

    result = _run(dict(os.environ))
    assert result.returncode == 0, result.stderr
    version = subprocess.run([result.stdout.strip(), "--version"], capture_output=True, text=True).stdout
    assert version.startswith("Python 3.10")


def test_finds_pyenv_versions_without_pyenv_on_path(tmp_path):
    import os

    pyenv_root = subprocess.run(["bash", "-lc", "pyenv root"], capture_output=True, text=True).stdout.strip()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYENV_ROOT": pyenv_root or os.path.expanduser("~/.pyenv")}
    result = _run(env)
    assert result.returncode == 0, result.stderr
    assert "/versions/3.10." in result.stdout


def test_without_python_310_it_says_what_to_install(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYENV_ROOT": str(tmp_path / "none")}
    result = _run(env)
    assert result.returncode == 1
    message = result.stderr.strip()
    assert message.count("\n") == 0
    assert "pyenv install 3.10" in message and "uv python install 3.10" in message
