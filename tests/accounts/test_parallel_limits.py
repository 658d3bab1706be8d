"""The sign-in limits hold under parallel requests against a real server (issue 8, finding 4).

30 wrong passwords for one account, sent at the same moment from 30 different loopback
addresses to `track2 serve` with several worker processes: the server may check the
password at most 5 times (the per-account limit), exactly as if they came one by one.
"""

import threading
import uuid

import pytest

from tests.accounts.served import Browser, manage, served, server_env

PASSWORD = "correct horse battery staple"
ATTEMPTS = 30
PER_ACCOUNT = 5  # the production value, pinned in test_limits.py


@pytest.fixture
def site(tmp_path):
    check_log = tmp_path / "checks.log"
    env = server_env(tmp_path / "home", check_log)
    with served(env) as port:
        yield env, port, check_log


def checks(check_log) -> int:
    return len(check_log.read_text().splitlines()) if check_log.exists() else 0


def test_parallel_wrong_passwords_from_many_addresses_are_checked_at_most_five_times(site):
    env, port, check_log = site
    email = f"target-{uuid.uuid4().hex[:12]}@example.org"
    manage(env, f"from track2.accounts.models import User; User.objects.create_user({email!r}, {PASSWORD!r})")

    browsers = [Browser(f"127.0.0.{10 + n}", port) for n in range(ATTEMPTS)]
    tokens = [b.form_token("/accounts/login/") for b in browsers]
    start = threading.Barrier(ATTEMPTS)
    answers: list[str] = [""] * ATTEMPTS

    def attempt(n: int) -> None:
        start.wait()
        status, _, body = browsers[n].post("/accounts/login/", {
            "csrfmiddlewaretoken": tokens[n], "email": email, "password": f"wrong guess {n}"})
        answers[n] = "checked" if "do not match" in body else "paused" if "Too many" in body else f"{status}?"

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(set(answers)) == ["checked", "paused"], answers
    assert answers.count("checked") == PER_ACCOUNT
    assert checks(check_log) == PER_ACCOUNT

    # The right password, from a fresh address, is not even checked while the pause lasts.
    late = Browser("127.0.0.99", port)
    _, _, body = late.post("/accounts/login/", {
        "csrfmiddlewaretoken": late.form_token("/accounts/login/"), "email": email, "password": PASSWORD})
    assert "Too many failed sign-ins" in body
    assert checks(check_log) == PER_ACCOUNT
