"""The `track2` command, run as a real process the way a person runs it."""

import subprocess
import sys

from tests.helpers import outside_env
from tests.template_db import migrated_site


def track2(
    *args: str, home, env_extra: dict | None = None, stdin: str | None = None, timeout: int = 120
):
    env = outside_env()
    env.update(
        {
            "TRACK2_HOME": str(home),
            "TRACK2_ARGON2_TIME_COST": "1",
            "TRACK2_ARGON2_MEMORY_COST": "64",
        }
    )
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "track2", *args],
        capture_output=True,
        text=True,
        env=env,
        input=stdin,
        timeout=timeout,
        check=False,
    )


def test_help_lists_track2_commands(tmp_path):
    result = track2("--help", home=tmp_path)
    assert result.returncode == 0
    for command in ("serve", "demo", "createadmin", "check", "analyze", "rank"):
        assert command in result.stdout


def test_check_reports_health(tmp_path):
    result = track2("check", home=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "reachable: SQLite" in result.stdout
    assert "journal wal" in result.stdout
    assert f"E-mail:        kept in the outbox {tmp_path / 'outbox'}" in result.stdout
    assert "no mail is sent" in result.stdout


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path):
    """`track2 check | head -1`: the pipe is closed before the command writes."""
    env = outside_env() | {"TRACK2_HOME": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "track2", "check"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    process.stdout.close()  # the reader goes away at once, long before the first line
    _, error = process.communicate(timeout=120)
    assert process.returncode == 141
    assert error.decode() == ""


def test_unwritable_home_is_one_line_and_exit_2(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = track2("check", home=blocker / "home")
    assert result.returncode == 2
    assert "not writable" in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unreachable_database_is_one_line(tmp_path):
    result = track2(
        "check",
        home=tmp_path,
        env_extra={"TRACK2_DATABASE_URL": "postgresql://t2@127.0.0.1:9/track2"},
    )
    assert result.returncode != 0
    assert "cannot use the database at postgresql://t2@127.0.0.1:9/track2" in result.stderr
    assert "TRACK2_DATABASE_URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_database_url_is_one_line(tmp_path):
    result = track2("serve", home=tmp_path, env_extra={"TRACK2_DATABASE_URL": "mysql://x@y/z"})
    assert result.returncode == 2
    assert "not supported" in result.stderr and "Traceback" not in result.stderr


def test_serve_refuses_a_bad_port(tmp_path):
    result = track2("serve", "--port", "70000", home=tmp_path)
    assert result.returncode != 0
    assert "not a port number" in result.stderr and "Traceback" not in result.stderr


def test_createadmin(tmp_path):
    migrated_site(tmp_path)  # the suite's one migrated empty site: this test is about createadmin
    ok = track2(
        "createadmin",
        "--email",
        "Admin@Example.org",
        "--password-stdin",
        home=tmp_path,
        stdin="a long admin passphrase\n",
    )
    assert ok.returncode == 0, ok.stderr
    again = track2(
        "createadmin",
        "--email",
        "admin@example.org",
        "--password-stdin",
        home=tmp_path,
        stdin="a long admin passphrase\n",
    )
    assert again.returncode != 0 and "exists already" in again.stderr
    weak = track2(
        "createadmin", "--email", "b@example.org", "--password-stdin", home=tmp_path, stdin="123\n"
    )
    assert weak.returncode != 0 and "Password refused" in weak.stderr
    bad = track2(
        "createadmin", "--email", "not-an-address", "--password-stdin", home=tmp_path, stdin="x\n"
    )
    assert bad.returncode != 0 and "is not an e-mail address" in bad.stderr
