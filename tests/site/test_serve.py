"""`track2 serve` as a real server process: migrations, static files, pages, shutdown.

When the suite runs on PostgreSQL (TRACK2_DATABASE_URL set by scripts/test.sh), this
serves from that PostgreSQL server.
"""

import http.cookiejar
import os
import re
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from email.message import Message

import pytest

from tests.helpers import healthz_answers
from tests.template_db import migrated_site

# The served site uses the suite's database (PostgreSQL in the second pass).
pytestmark = pytest.mark.suite_database


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, Message, str]:
    # The headers as received, looked up without regard to case (HTTP's rule; uvicorn's
    # httptools protocol sends names in lower case).
    try:
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310  (a local test server)
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read().decode()


def wait_until_serving(base: str, process, output, seconds: int = 120) -> None:
    """Until `/healthz` answers; fail with the server's `output()` if it exits first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("track2 serve exited:\n" + output())
        if healthz_answers(base):
            return
        time.sleep(0.3)
    process.kill()
    pytest.fail(f"track2 serve did not answer within {seconds} s")


def _serve(home):
    """The base URL and the `track2 serve` process (its output is piped) of the data folder."""
    port = free_port()
    # As a person runs it: no mail server configured (the test settings' locmem:// is dropped).
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "TRACK2_EMAIL_URL")
    }
    env["TRACK2_HOME"] = str(home)
    process = subprocess.Popen(
        [sys.executable, "-m", "track2", "serve", "--port", str(port), "--workers", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    wait_until_serving(base, process, lambda: process.stdout.read())
    yield base, process
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
def served(tmp_path):
    """A site whose empty database was migrated once per run (tests/template_db.py): these
    tests are about what serve logs and where its mail goes."""
    home = tmp_path / "home"
    if not os.environ.get("TRACK2_DATABASE_URL", "").startswith("postgres"):
        migrated_site(home)  # on PostgreSQL it serves from the suite's served-site database
    yield from _serve(home)


@pytest.fixture
def server(tmp_path):
    """A new, empty data folder: serve migrates it and collects static files first."""
    for base, _process in _serve(tmp_path / "home"):
        yield base


def test_serve_answers_pages_static_files_and_api(server):
    status, headers, body = get(server + "/accounts/login/")
    assert status == 200
    assert "Content-Security-Policy" in headers
    assert "Sign in" in body
    css = re.search(r'href="(/static/vendor/pico/pico\.min\.[0-9a-f]+\.css)"', body)
    assert css, "static files should be served under hashed names (collectstatic ran)"
    status, headers, _ = get(server + css.group(1))
    assert status == 200 and "max-age" in headers.get("Cache-Control", "")
    status, _, body = get(server + "/api/v1/me")
    assert status == 401 and "Bearer" in body
    assert get(server + "/api/v1/docs")[0] == 200


def test_serve_writes_no_line_per_request(served):
    base, process = served
    secret = "Zq8-secret-in-the-path-4Fh2"
    assert get(base + "/accounts/login/")[0] == 200
    assert get(base + f"/invitations/{secret}/")[0] == 404
    assert get(base + f"/calendar/{secret}.ics")[0] == 404
    assert get(base + f"/nowhere/{secret}/?q={secret}")[0] == 404
    assert get(base + "/api/v1/me")[0] == 401
    process.terminate()
    output, _ = process.communicate(timeout=20)
    assert secret not in output
    for line in ("GET /", "/accounts/login/", "/api/v1/me", "Not Found", "HTTP/1.1"):
        assert line not in output, output
    assert "Track2 is at http://127.0.0.1:" in output


def test_serve_keeps_mail_in_the_private_outbox(served, tmp_path):
    base, process = served
    home = tmp_path / "home"
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DJANGO_SETTINGS_MODULE", "TRACK2_EMAIL_URL")
    }
    env.update({"TRACK2_HOME": str(home)})
    made = subprocess.run(
        [
            sys.executable,
            "-m",
            "track2",
            "createadmin",
            "--email",
            "owner@example.org",
            "--password-stdin",
        ],
        input="a long admin passphrase\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert made.returncode == 0, made.stderr
    browser = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    form = browser.open(base + "/accounts/reset/", timeout=60).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "email": "owner@example.org"}
    ).encode()
    assert browser.open(base + "/accounts/reset/", data=data, timeout=60).status == 200
    [message] = (home / "outbox").iterdir()
    assert stat.S_IMODE((home / "outbox").stat().st_mode) == 0o700
    assert stat.S_IMODE(message.stat().st_mode) == 0o600
    link = re.search(r"/accounts/reset/\S+/\S+/", message.read_text()).group(0)
    process.terminate()
    output, _ = process.communicate(timeout=20)
    assert link not in output and "owner@example.org" not in output
    assert f"E-mail: kept in the outbox {home / 'outbox'}" in output and "no mail is sent" in output
