"""`intake staff add EMAIL --role reviewer|admin`: the password is asked twice and kept only as argon2."""
from __future__ import annotations

import os
import pty
import select
import sys
import time

import pytest
import sqlalchemy as sa

from bot.cli import main
from bot.console.passwords import verify_password
from bot.database import Database
from bot.models import StaffMember

PASSWORD = "a long enough password"


def run_in_terminal(argv, env, answers, timeout=60.0):
    """Run the CLI on a pseudo-terminal, typing `answers` at its password prompts; (exit code, output)."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real command
        os.execve(sys.executable, [sys.executable, "-m", "bot.cli", *argv], env)
    output, pending, deadline = b"", list(answers), time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1.0)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 1024)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
        if pending and output.endswith(b"assword: "):
            os.write(fd, pending.pop(0).encode() + b"\n")
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), output.decode("utf-8", "replace")


def staff(database_url):
    with Database(database_url).sessions() as session:
        return {m.email: (m.role, m.password_hash) for m in session.scalars(sa.select(StaffMember))}


def test_a_staff_member_is_added_with_the_password_typed_twice_at_the_terminal(database_url):
    env = {**os.environ, "INTAKE_DATABASE_URL": database_url, "PYTHONWARNINGS": "ignore"}
    code, output = run_in_terminal(["staff", "add", "New.Admin@Example.org", "--role", "admin"], env, [PASSWORD, PASSWORD])
    assert code == 0, output
    assert "Created the admin account new.admin@example.org." in output
    assert PASSWORD not in output  # not echoed
    role, password_hash = staff(database_url)["new.admin@example.org"]
    assert role == "admin" and password_hash.startswith("$argon2id$")
    assert verify_password(password_hash, PASSWORD) and not verify_password(password_hash, PASSWORD + "x")


@pytest.fixture
def typed(monkeypatch, database_url):
    """Answers for the password prompts, in order, for the in-process CLI."""
    monkeypatch.setenv("INTAKE_DATABASE_URL", database_url)
    answers = []

    def answer(prompt=""):
        if not answers:
            raise EOFError  # what getpass does when input ends
        return answers.pop(0)

    monkeypatch.setattr("getpass.getpass", answer)
    return answers


@pytest.mark.parametrize("argv, message", [
    (["staff", "add", "not-an-email", "--role", "admin"], "'not-an-email' is not a valid e-mail address"),
    (["staff", "add", "a@example.org", "--role", "owner"], "the role must be one of reviewer, admin, not 'owner'"),
])
def test_a_bad_email_or_role_is_refused_before_any_password_is_asked(typed, capsys, argv, message):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_a_duplicate_account_is_refused_and_the_first_is_kept(typed, capsys, database_url):
    typed += [PASSWORD, PASSWORD]
    assert main(["staff", "add", "dup@example.org", "--role", "reviewer"]) == 0
    assert main(["staff", "add", "DUP@example.org", "--role", "admin"]) == 2
    assert "there is already a staff account for dup@example.org; nothing was created" in capsys.readouterr().err
    assert staff(database_url)["dup@example.org"][0] == "reviewer"


@pytest.mark.parametrize("answers, message", [
    ([PASSWORD, PASSWORD + "!"], "the two passwords do not match"),
    (["short", "short"], "the password must have at least 12 characters"),
    ([PASSWORD], "no password was entered"),
])
def test_a_mismatched_weak_or_missing_password_creates_nothing(typed, capsys, database_url, answers, message):
    typed += answers
    assert main(["staff", "add", "weak@example.org", "--role", "reviewer"]) == 2
    assert message in capsys.readouterr().err
    assert "weak@example.org" not in staff(database_url)
