"""A demo run as a person does it: the logins printed cover every role and both sides, the exact
`track2` command is printed, the demo keeps to its own folder, and the server log stays free of
warnings while pages are used."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import healthz_answers, outside_env
from tests.site.test_cli import track2
from tests.site.test_serve import free_port
from track2.accounts import totp

ROLES = ["convener", "facilitator", "rapporteur", "observer", "liaison"]


@pytest.fixture
def demo_run(tmp_path):
    """One demo run (it takes most of a minute), for the one test that checks all it shows: as
    two tests, pytest-xdist's workers each started their own."""
    port = free_port()
    env = outside_env()
    env.update(
        {
            "TRACK2_HOME": str(tmp_path / "real"),
            "TRACK2_DEMO_HOME": str(tmp_path / "demo"),
            # the demo keeps to its own folder and SQLite whatever the real site's database is
            "TRACK2_DATABASE_URL": "postgresql://nowhere/x",
            "PYTHONWARNINGS": "default",
        }
    )  # show every warning once, as a careful operator would
    log = tmp_path / "server.log"
    with log.open("w") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "track2", "demo", "--reset", "--port", str(port)],
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
            text=True,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail("track2 demo exited:\n" + log.read_text())
        if healthz_answers(base):
            break
        time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("track2 demo did not answer within 240 s:\n" + log.read_text())
    yield base, log, env
    process.terminate()
    process.wait(timeout=20)


def logins_printed(text: str) -> dict[str, tuple[str, str]]:
    return {
        m[0]: (m[1], m[2])
        for m in re.findall(r"^\s+(\S+@demo\.track2\.invalid)\s+(demo-\S+)\s+(.*)$", text, re.M)
    }


def post_form(opener, base: str, path: str, fields: dict[str, str]):
    """GET the page's form, POST it filled in (CSRF token and Referer as a browser sends
    them); the answer after redirects."""
    form = opener.open(base + path).read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **fields}).encode()
    request = urllib.request.Request(  # noqa: S310  (a local test server)
        base + path, data=data, headers={"Referer": base + path}
    )
    return opener.open(request)


def browse(base: str, email: str, password: str) -> list[int]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    signed_in = post_form(opener, base, "/accounts/login/", {"email": email, "password": password})
    home = signed_in.read().decode()
    statuses = []
    paths = ["/", *dict.fromkeys(re.findall(r'href="(/dialogues/\d+/[^"]*)"', home))]
    for path in paths + [
        "/static/track2/track2.css",
        "/static/vendor/htmx/htmx.min.js",
        "/favicon.ico",
        "/robots.txt",
    ]:
        try:
            statuses.append(opener.open(base + path).status)
        except urllib.error.HTTPError as err:
            statuses.append(err.code)
    return statuses


def test_a_demo_run_prints_every_role_and_its_commands_and_logs_no_warnings(demo_run, tmp_path):
    base, log, env = demo_run
    text = log.read_text()
    logins = logins_printed(text)
    assert f"{base}/" in text  # where to open it
    kept_in_its_own_home(tmp_path, text, env)
    descriptions = " | ".join(description for _password, description in logins.values())
    for role in ROLES:
        assert any(role in description for _p, description in logins.values()), (role, descriptions)
    participants = [d for _p, d in logins.values() if d.split(", ")[1:2] == ["participant"]]
    assert any("Caldera" in d for d in participants) and any(
        "Ostrava" in d for d in participants
    ), participants
    command = re.search(r"from the project folder: (\S+) analyze", text).group(1)
    assert Path(command).is_absolute() and os.access(command, os.X_OK), command
    assert Path(command).name == "track2"
    replay_back_channel(text, tmp_path)
    for email in ("convener@demo.track2.invalid", "participant.ostrava@demo.track2.invalid"):
        statuses = browse(base, email, logins[email][0])
        assert all(status == 200 for status in statuses), statuses
    sign_in_with_the_printed_second_factor(base, text, logins)
    time.sleep(0.5)
    server_log = log.read_text().split("(Ctrl+C stops it)", 1)[1]
    assert not re.search(r"warn", server_log, re.I), server_log


def kept_in_its_own_home(tmp_path, text: str, env: dict[str, str]) -> None:
    """The demo's site and its logins (readable by their owner only) are in the demo's folder,
    not the real site's; run again without --reset (and without a terminal to ask on), it uses
    the site it has and prints the same logins."""
    demo_home = tmp_path / "demo"
    saved = json.loads((demo_home / "demo-logins.json").read_text())
    assert {row["email"] for row in saved} >= {
        "convener@demo.track2.invalid",
        "coconvener@demo.track2.invalid",  # deleting the dialogue takes two conveners
        "participant@demo.track2.invalid",
    }
    for row in saved:
        assert row["email"] in text and row["password"] in text
    assert oct((demo_home / "demo-logins.json").stat().st_mode)[-3:] == "600"
    assert (demo_home / "track2.sqlite3").exists()
    assert not (tmp_path / "real" / "track2.sqlite3").exists()
    again = track2("demo", "--no-serve", home=tmp_path / "real", env_extra=env)
    assert again.returncode == 0, again.stderr
    assert "Using the existing demo site" in again.stdout
    assert saved[0]["password"] in again.stdout


def replay_back_channel(text: str, tmp_path) -> None:
    """The back-channel commands the demo printed work, as printed, against the demo site."""
    assert "Back channel: a conveyed exchange" in text
    lines = [line.strip() for line in text.splitlines() if " backchannel --home " in line]
    directory = next(line for line in lines if line.endswith(" directory"))
    verify_log = next(line for line in lines if line.endswith(" verify-log"))
    env = outside_env()
    env["TRACK2_HOME"] = str(tmp_path / "client")
    for line, expected in ((directory, "Ostrava ministry contact"), (verify_log, "Log verified")):
        done = subprocess.run(  # noqa: S603  (the command the demo printed, with its own paths)
            ["bash", "-c", line], env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        assert expected in done.stdout


def sign_in_with_the_printed_second_factor(base: str, text: str, logins) -> None:
    """The site administrator's account asks for a second factor, and what the demo printed
    for it works: a code from the printed secret, and a printed recovery code."""
    admin = "admin@demo.track2.invalid"
    block = text.split(admin, 1)[1].split("(The logins are also in", 1)[0]
    secret = re.search(r"secret \(base32\):\s+([A-Z2-7]+)\s", block).group(1)
    link = urllib.parse.urlsplit(re.search(r"(otpauth://\S+)", block).group(1))
    assert urllib.parse.unquote(link.path) == f"/Track2:{admin}"
    assert urllib.parse.parse_qs(link.query)["secret"] == [secret]
    codes = re.findall(r"\b[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}\b", block)
    assert len(codes) == 10 and "demo credentials" in block
    # the app's next code: the demo turned two-factor on with the current one a moment ago
    for second in (totp.code_at(secret, totp.current_step() + 1), codes[0]):
        opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        step = post_form(
            opener, base, "/accounts/login/", {"email": admin, "password": logins[admin][0]}
        )
        assert step.url == base + "/accounts/login/code/", step.url
        # the password alone opens nothing
        assert opener.open(base + "/admin/").url.startswith(base + "/accounts/login/")
        done = post_form(opener, base, "/accounts/login/code/", {"code": second})
        assert done.url == base + "/", (second, done.url)
        assert opener.open(base + "/admin/").url == base + "/admin/"
