"""Sign-in against a real `track2 serve` (several worker processes, a real database).

The limits hold under parallel requests (issue 8, finding 4): 30 wrong passwords for one account, sent at the same moment from one loopback
address to `track2 serve` with several worker processes: the server may check the
password at most 5 times (the per-account-and-address limit), exactly as if they came one by
one. The owner, at another address, is not paused by them (audit-accounts finding 2).
"""

import re
import threading
import uuid
from urllib.parse import urlencode

import pytest

from tests.accounts.served import Browser, manage, served, server_env

# The served site uses the suite's database (PostgreSQL in the second pass).
pytestmark = pytest.mark.suite_database

PASSWORD = "correct horse battery staple"
ATTEMPTS = 30
PER_ACCOUNT_AND_ADDRESS = 5  # the production value, pinned in test_limits.py


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("served")
    check_log = folder / "checks.log"
    env = server_env(folder / "home", check_log)
    with served(env) as port:
        yield env, port, check_log


def checks(check_log) -> int:
    return len(check_log.read_text().splitlines()) if check_log.exists() else 0


def test_parallel_wrong_passwords_from_one_address_are_checked_at_most_five_times(site):
    env, port, check_log = site
    email = f"target-{uuid.uuid4().hex[:12]}@example.org"
    manage(
        env,
        f"from track2.accounts.models import User; User.objects.create_user({email!r}, {PASSWORD!r})",
    )

    browsers = [Browser("127.0.0.10", port) for n in range(ATTEMPTS)]
    tokens = [b.form_token("/accounts/login/") for b in browsers]
    start = threading.Barrier(ATTEMPTS)
    answers: list[str] = [""] * ATTEMPTS
    before = checks(check_log)

    def attempt(n: int) -> None:
        start.wait()
        status, _, body = browsers[n].post(
            "/accounts/login/",
            {"csrfmiddlewaretoken": tokens[n], "email": email, "password": f"wrong guess {n}"},
        )
        answers[n] = (
            "checked"
            if "do not match" in body
            else "paused"
            if "Too many" in body
            else f"{status}?"
        )

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(set(answers)) == ["checked", "paused"], answers
    assert answers.count("checked") == PER_ACCOUNT_AND_ADDRESS
    assert checks(check_log) == before + PER_ACCOUNT_AND_ADDRESS

    # The guesser's address is paused; the owner, at another address, signs in.
    owner = Browser("127.0.0.99", port)
    status, headers, _ = owner.post(
        "/accounts/login/",
        {
            "csrfmiddlewaretoken": owner.form_token("/accounts/login/"),
            "email": email,
            "password": PASSWORD,
        },
    )
    assert status == 302 and headers["location"] == "/", (status, headers)
    late = browsers[0]
    _, _, body = late.post(
        "/accounts/login/",
        {
            "csrfmiddlewaretoken": late.form_token("/accounts/login/"),
            "email": email,
            "password": PASSWORD,
        },
    )
    assert "Too many failed sign-ins" in body
    assert checks(check_log) == before + PER_ACCOUNT_AND_ADDRESS + 1


def test_the_per_address_limit_counts_the_real_peer_not_x_forwarded_for(site):
    # No proxy is configured, so a forged X-Forwarded-For must not make one machine look like many.
    _, port, _ = site
    browser = Browser("127.0.0.200", port)
    token = browser.form_token("/accounts/login/")
    answers = []
    for n in range(21):
        browser.connection.putrequest("POST", "/accounts/login/")
        body = urlencode(
            {"csrfmiddlewaretoken": token, "email": f"nobody{n}@example.org", "password": "guess"}
        )
        for name, value in (
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Content-Length", str(len(body))),
            ("Cookie", f"csrftoken={browser.cookies['csrftoken']}"),
            ("X-Forwarded-For", f"198.51.100.{n}"),
        ):
            browser.connection.putheader(name, value)
        browser.connection.endheaders(body.encode())
        answers.append(browser.connection.getresponse().read().decode())
    assert all("do not match" in answer for answer in answers[:20])
    assert "Too many failed sign-ins" in answers[20]


def test_pages_and_api_are_not_stored_while_static_files_keep_their_caching(site):
    _, port, _ = site
    browser = Browser("127.0.0.1", port)
    status, headers, body = browser.get("/accounts/login/")
    assert status == 200 and headers["cache-control"] == "no-store"
    status, headers, _ = browser.get("/api/v1/me")
    assert status == 401 and headers["cache-control"] == "no-store"
    css = re.search(r'href="(/static/vendor/pico/pico\.min\.[0-9a-f]+\.css)"', body).group(1)
    status, headers, _ = browser.get(css)
    assert (
        status == 200
        and "max-age" in headers["cache-control"]
        and "no-store" not in headers["cache-control"]
    )
