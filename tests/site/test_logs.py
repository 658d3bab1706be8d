"""No secret and no access trail in the logs (docs/security.md).

Every log record of every level, from every logger, is captured through a whole invitation flow
(with a 400 and a 404 on the invitation page), a password reset, API token use, the calendar feed
and a server error on a path that holds a secret; none may carry a secret or a requested path.
"""

from __future__ import annotations

import logging
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import include, path

from tests.helpers import PASSWORD
from track2.accounts import actions as account_actions
from track2.meetings import actions as meeting_actions
from track2.people import actions as people_actions
from track2.site.logs import NO_ROUTE, RouteNotPath


def explode(request, secret):
    raise RuntimeError("the view failed")


urlpatterns = [
    path("boom/<str:secret>/", explode),
    path("", include("track2.urls")),
]


class Everything(logging.Handler):
    """Formats every record it sees, with every attribute a handler could print."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.records: list[logging.LogRecord] = []
        self.text: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.text.append(logging.Formatter().format(record))
        self.text.append(repr(vars(record)))


@pytest.fixture
def captured():
    handler = Everything()
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(old_level)


def test_no_secret_and_no_path_reaches_a_log_record(
    captured, settings, make_user, member_of, dialogue
):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    secrets: list[str] = []
    convener = member_of(make_user("convener@example.org"), "convener")

    # The invitation: the page, a 400 (no answer chosen), a bad password, 404s, then accepting.
    candidacy = people_actions.do_add_person(
        convener,
        dialogue,
        email="amina@example.org",
        full_name="Amina Diallo",
        sector="academia",
        country="Northland",
        nominated_by="Prof. Example",
    )
    people_actions.do_vet(convener, candidacy, vouched_by="Dr. Vouch")
    _invitation, link = people_actions.do_invite(
        convener, candidacy, base_url="https://track2.example"
    )
    secret = link.rstrip("/").rsplit("/", 1)[-1]
    secrets += [secret, link]
    page = f"/invitations/{secret}/"
    assert client.get(page).status_code == 200
    assert client.post(page, {"answer": "maybe"}).status_code == 400
    assert (
        client.post(
            page,
            {
                "answer": "create",
                "display_name": "Amina",
                "password1": "short",
                "password2": "other",
            },
        ).status_code
        == 400
    )
    assert client.get(f"/invitations/{secret[:-2]}xy/").status_code == 404
    assert client.post(f"/invitations/{secret[:-2]}xy/", {"answer": "decline"}).status_code == 404
    assert client.get(f"/invitations/{secret}/nothing-here/").status_code == 404
    password = "a passphrase nobody guesses"
    secrets.append(password)
    accepted = client.post(
        page,
        {"answer": "create", "display_name": "Amina", "password1": password, "password2": password},
    )
    assert accepted.status_code == 302
    assert client.get(page).status_code in (404, 410)

    # Password reset: the mailed link, a wrong token, a new password.
    client.post("/accounts/logout/")
    mail.outbox.clear()
    assert client.post("/accounts/reset/", {"email": "amina@example.org"}).status_code == 302
    reset_link = re.search(r"https?://\S+/accounts/reset/(\S+)/(\S+)/", mail.outbox[0].body)
    uid, token = reset_link.group(1), reset_link.group(2)
    secrets += [reset_link.group(0), token]
    assert client.get(f"/accounts/reset/{uid}/{token[:-3]}abc/").status_code == 200
    set_password = client.get(f"/accounts/reset/{uid}/{token}/", follow=True)
    assert set_password.status_code == 200
    new_password = "another passphrase nobody guesses"
    secrets.append(new_password)
    assert (
        client.post(
            set_password.redirect_chain[-1][0],
            {"new_password1": new_password, "new_password2": new_password},
        ).status_code
        == 302
    )

    # An API token: used, a forged one with its prefix, a malformed one.
    raw, _row = account_actions.do_create_api_token(convener, "laptop")
    secrets.append(raw)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    forged = raw[:12] + ("A" if raw[12] != "A" else "B") + raw[13:]
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    )
    assert (
        client.get(
            f"/api/v1/dialogues/{dialogue.pk}/people?q={raw}",
            headers={"Authorization": f"Bearer {raw}x"},
        ).status_code
        == 401
    )

    # The private calendar feed, and a feed address that is not (or no longer) one.
    feed = meeting_actions.do_issue_calendar_token(convener, PASSWORD, "127.0.0.1")
    secrets.append(feed)
    assert client.get(f"/calendar/{feed}.ics").status_code == 200
    assert client.get(f"/calendar/{feed[:-1]}.ics").status_code == 404

    # A server error on a path that holds a secret is still logged — by its route.
    assert client.get(f"/boom/{secret}/?token={raw}").status_code == 500

    logged = "\n".join(captured.text)
    for value in secrets:
        assert value not in logged
    for requested in ("/invitations/", "/accounts/reset/", "/calendar/", "/api/v1/me", "/boom/"):
        assert requested not in logged.replace("/boom/<str:secret>/", "")
    errors = [r for r in captured.records if r.name == "django.request"]
    assert [r.getMessage() for r in errors] == ["Internal Server Error: /boom/<str:secret>/"]
    assert "the view failed" in logged  # the traceback is kept: errors stay diagnosable


def test_a_request_that_matched_no_route_is_named_as_such():
    from django.test import RequestFactory

    request = RequestFactory().get("/invitations/s3cret/")
    record = logging.LogRecord(
        "django.request",
        logging.ERROR,
        __file__,
        1,
        "Internal Server Error: %s",
        (request.path,),
        None,
    )
    record.request = request
    assert RouteNotPath().filter(record)
    assert record.getMessage() == f"Internal Server Error: {NO_ROUTE}" and record.request is None
