"""Helpers shared by tests (fixtures live in conftest.py)."""

import os

PASSWORD = "correct horse battery staple"


def check_foreign_keys_now() -> None:
    """Check the foreign keys of what the current transaction has written, here and once. A
    module's world is built in a transaction that each test's own (a savepoint) nests in, and
    Django checks the deferred keys at each test's end; on PostgreSQL a savepoint rolled back
    leaves the checks made inside it undone, so every test checked the whole world's keys again
    (0.6 s at the end of each form-sweep test; 56 of the PostgreSQL server's 189 CPU seconds in
    the pass, docs/testing.md)."""
    from django.db import connection

    connection.check_constraints()


def sign_in(client, user, password: str = PASSWORD):
    """Sign in through the real sign-in form; assert it redirected (succeeded)."""
    response = client.post("/accounts/login/", {"email": user.email, "password": password})
    assert response.status_code == 302, response.content[:500]
    return response


def sign_in_page(page, base: str, email: str, password: str = PASSWORD) -> None:
    """Sign in through the real sign-in page in a browser; wait for the home page."""
    page.goto(base + "/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(base + "/")


def roster_csv_rows(text: str) -> list[dict]:
    """The rows of a roster export, after its first line (the status line, checked here)."""
    import csv
    import io

    status, rest = text.lstrip("\ufeff").split("\r\n", 1)
    assert status == "# Unofficial. Non-binding. Participants took part in a personal capacity."
    return list(csv.DictReader(io.StringIO(rest)))


def outside_env() -> dict[str, str]:
    """The environment for a `track2` process a test starts: none of this process's Track2 or
    Django settings, except the shared folder of collected static files (tests/conftest.py)."""
    return {
        k: v
        for k, v in os.environ.items()
        if k == "TRACK2_STATIC_ROOT"
        or not (k.startswith("TRACK2_") or k == "DJANGO_SETTINGS_MODULE")
    }


def healthz_answers(base: str, timeout: float = 5) -> bool:
    """Whether ``base``/healthz answers 200 now; a server not listening yet is False. That
    includes a connection to itself: polling a port from the ephemeral range before the server
    has bound it, the client's own source port can be that port, and it reads back its own
    request as the answer (http.client.BadStatusLine: "GET /healthz HTTP/1.1"), which once
    escaped the poll and left a server migrating behind the next test's."""
    import http.client
    import urllib.request

    try:
        with urllib.request.urlopen(base + "/healthz", timeout=timeout) as response:  # noqa: S310  (a local test server)
            return response.status == 200
    except (OSError, http.client.HTTPException):
        return False


def write_two_camps(folder, texts: list[str], per_camp: int = 3) -> None:
    """A Pol.is export folder (votes.csv, comments.csv) of two camps of `per_camp` people, each
    camp voting alike: agree on the first three statements and disagree on the rest, or the
    reverse."""
    votes = ["timestamp,datetime,comment-id,voter-id,vote"]
    for p in range(2 * per_camp):
        for c in range(len(texts)):
            votes.append(f"{10 * p + c},x,{c},{p},{1 if (p < per_camp) == (c < 3) else -1}")
    (folder / "votes.csv").write_text("\n".join(votes) + "\n")
    comments = ["timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body"]
    comments += [f'0,x,{c},0,0,0,1,"{text}"' for c, text in enumerate(texts)]
    (folder / "comments.csv").write_text("\n".join(comments) + "\n", encoding="utf-8")
