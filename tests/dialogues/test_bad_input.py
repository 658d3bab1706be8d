"""The fuzzing findings of issue 8 (finding 7) as regression tests: bad input answers 404/413/422
or a form error, never a server error, and nothing of a refused request is kept."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from track2.dialogues.models import Dialogue, Venue
from track2.meetings.models import AgendaItem, Meeting
from track2.people.models import Candidacy, Person

from .test_api import bearer

HUGE = [2**63, 2**64, 10**30]


@pytest.fixture
def api(world):
    # Server errors become 500 answers here, as a real client would see them.
    client = Client(raise_request_exception=False)
    token = bearer(world.users["convener"])

    def call(method, path, body=None, *, raw: bytes | str | None = None, **extra):
        kwargs = {"content_type": "application/json", **token, **extra}
        if raw is not None:
            kwargs["data"] = raw
        elif body is not None and method != "get":
            kwargs["data"] = json.dumps(body)
        return getattr(client, method)(f"/api/v1{path}", **kwargs)

    return call


@pytest.fixture
def pages(client, world):
    client.force_login(world.users["convener"])
    client.raise_request_exception = False
    return client


def errors_of(response) -> list[dict]:
    assert response.status_code == 422, (response.status_code, response.content[:300])
    body = response.json()
    assert body["detail"] and body["errors"]
    return body["errors"]


# --- ids and integers above 2^63 ---------------------------------------------------------------


@pytest.mark.parametrize("huge", HUGE)
def test_huge_ids_in_api_paths_are_not_found(api, world, huge):
    d, m = world.dialogue.pk, world.meeting.pk
    for path in (
        f"/dialogues/{huge}",
        f"/dialogues/{huge}/meetings",
        f"/dialogues/{d}/meetings/{huge}",
        f"/dialogues/{d}/people/{huge}",
        f"/dialogues/{d}/meetings/{m}/participants/{huge}",
        f"/dialogues/{d}/delegations/{huge}/seats/{huge}",
        f"/dialogues/-{huge}",
    ):
        for method in ("get", "patch", "delete"):
            response = api(method, path, {})
            assert response.status_code in (404, 405, 422), (method, path, response.status_code)
            if (
                response.status_code != 405
            ):  # a method the path does not have (Django's plain answer)
                assert response.headers["Content-Type"].startswith("application/json"), (
                    method,
                    path,
                )


@pytest.mark.parametrize("huge", HUGE)
def test_huge_integers_in_api_bodies_and_queries_are_422(api, world, huge):
    d = world.dialogue.pk
    cases = [
        ("post", f"/dialogues/{d}/delegations/{world.caldera.pk}/seats", {"person_id": huge}),
        (
            "post",
            f"/dialogues/{d}/meetings/{world.meeting.pk}/participants",
            {"person_ids": [huge]},
        ),
        (
            "post",
            f"/dialogues/{d}/venues",
            {"name": "Hall", "kind": "hotel", "country": "Norland", "capacity": huge},
        ),
        ("patch", f"/dialogues/{d}", {"k_anonymity": huge}),
        (
            "post",
            f"/dialogues/{d}/meetings/{world.meeting.pk}/agenda",
            {"title": "Opening", "duration_minutes": huge},
        ),
        (
            "post",
            f"/dialogues/{d}/people/nominate",
            {"email": "x@example.org", "nominated_by": "me", "delegation_id": huge},
        ),
    ]
    for method, path, body in cases:
        response = api(method, path, body)
        assert response.status_code in (400, 422), (
            path,
            response.status_code,
            response.content[:200],
        )
    assert api("get", f"/dialogues/{d}/people?delegation={huge}").status_code in (200, 422)


@pytest.mark.parametrize("huge", HUGE)
def test_huge_ids_on_pages_are_not_found(pages, world, huge):
    d = world.dialogue.pk
    for path in (
        f"/dialogues/{huge}/",
        f"/dialogues/{d}/meetings/{huge}/",
        f"/dialogues/{d}/people/{huge}/",
        f"/dialogues/{d}/delegations/{huge}/",
        f"/dialogues/{d}/venues/{huge}/edit/",
    ):
        assert pages.get(path).status_code == 404, path
    listed = pages.get(f"/dialogues/{d}/people/?delegation={huge}")
    assert listed.status_code == 200
    seat = pages.post(
        f"/dialogues/{d}/delegations/{world.caldera.pk}/", {"seat": "1", "person": str(huge)}
    )
    assert seat.status_code in (200, 400) and b'aria-invalid="true"' in seat.content
    assert b"Select a valid choice" in seat.content


# --- invalid Unicode and control characters ---------------------------------------------------


def test_lone_surrogate_in_json_is_422(api, world):
    raw = '{"title": "Round \\ud800 three"}'
    errors = errors_of(api("patch", f"/dialogues/{world.dialogue.pk}", raw=raw))
    assert errors[0]["loc"] == ["body", "title"] and "UTF-8" in errors[0]["msg"]
    world.dialogue.refresh_from_db()
    assert world.dialogue.title == "Varena Sea Dialogue"


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x0b", "\x7f", "\x85"])
def test_control_characters_are_refused_everywhere(api, pages, world, char):
    d = world.dialogue.pk
    errors = errors_of(api("post", "/dialogues", {"title": f"Gulf{char}Talks"}))
    assert errors[0]["loc"] == ["body", "title"]
    assert errors_of(api("patch", f"/dialogues/{d}", {"purpose": f"line one\nline{char}two"}))
    assert errors_of(
        api(
            "post",
            f"/dialogues/{d}/people",
            {
                "full_name": "Amina Diallo",
                "email": "amina@example.org",
                "sector": "academia",
                "country": "Northland",
                "nominated_by": f"Prof{char}",
            },
        )
    )
    assert errors_of(api("get", f"/dialogues/{d}/people?q=a{char}b"))
    page = pages.post(
        "/dialogues/new/",
        {
            "title": f"Gulf{char}Talks",
            "track": "track2",
            "status": "planning",
            "default_attribution_mode": "chatham_house",
            "k_anonymity": 3,
            "min_members_per_side": 4,
            "max_side_ratio": "1.5",
            "max_gender_share": 75,
        },
    )
    assert page.status_code == 200
    assert b"control character" in page.content or b"Null characters" in page.content
    assert not Dialogue.objects.filter(title__startswith="Gulf").exists()


@pytest.mark.parametrize("char", ["\u202e", "\u202b", "\u2066", "\u2069"])
def test_direction_controls_are_refused_in_one_line_text(api, pages, world, char):
    # "Amina \u202eanilorac" shows as "Amina caroline": a name that reads as another's
    d = world.dialogue.pk
    errors = errors_of(api("patch", f"/dialogues/{d}", {"title": f"Gulf{char}Talks"}))
    assert errors[0]["loc"] == ["body", "title"] and "direction control" in errors[0]["msg"]
    from track2.people import roster

    text = f"full_name,email,sector,country,nominated_by\nAmina {char}anilorac,a@example.org,academia,Northland,Me\n"
    checked = roster.check_roster(world.dialogue, text)
    assert any(e.column == "full_name" and "direction control" in e.message for e in checked.errors)
    page = pages.post(f"/dialogues/{d}/edit/", {"title": f"Gulf{char}Talks"})
    assert b"direction control" in page.content
    world.dialogue.refresh_from_db()
    assert world.dialogue.title == "Varena Sea Dialogue"


def test_right_to_left_text_and_its_marks_are_welcome(api, world):
    # Arabic and Hebrew names, and the marks some keyboards type in mixed text, are not controls
    title = "\u062d\u0648\u0627\u0631 \u200fVarena\u200e \u05d3\u05d9\u05d0\u05dc\u05d5\u05d2"
    response = api("patch", f"/dialogues/{world.dialogue.pk}", {"title": title})
    assert response.status_code == 200, response.content
    assert response.json()["title"] == title
    notes = api("patch", f"/dialogues/{world.dialogue.pk}", {"purpose": "one\u202eline\nmore"})
    assert notes.status_code == 200  # multi-line notes keep what a pasted document carries


@pytest.mark.parametrize("typed", ["1e309", "20", "abc", "1.234", "-5", "9" * 25])
def test_a_number_out_of_its_range_is_named_with_the_range_on_the_page(pages, world, typed):
    # not Django's "no more than 4 digits in total": the range, whatever was wrong with it
    page = pages.post(
        f"/dialogues/{world.dialogue.pk}/edit/",
        {"title": "Varena", "max_side_ratio": typed, "max_gender_share": typed},
    )
    assert b"Enter a number from 1.00 to 10.00, with at most 2 decimal places." in page.content
    assert b"Enter a number from 50 to 100 (a whole number)." in page.content
    assert b"digits" not in page.content and b"less than or equal" not in page.content


def test_line_breaks_only_in_multi_line_text(api, world):
    d = world.dialogue.pk
    errors = errors_of(api("patch", f"/dialogues/{d}", {"title": "Round\nthree"}))
    assert errors[0]["loc"] == ["body", "title"] and "one line" in errors[0]["msg"]
    kept = api("patch", f"/dialogues/{d}", {"purpose": "Fisheries.\n\tIncidents.\r\nHotlines."})
    assert kept.status_code == 200, kept.content
    assert kept.json()["purpose"] == "Fisheries.\n\tIncidents.\r\nHotlines."


def test_roster_importer_follows_the_same_rules(world):
    from track2.people import roster

    text = "full_name,email,sector,country,nominated_by\nAmi\x1bna,amina@example.org,academia,Northland,Me\n"
    checked = roster.check_roster(world.dialogue, text)
    assert not checked.is_valid
    assert any(e.column == "full_name" and "control character" in e.message for e in checked.errors)


# --- lengths, dates, sizes, shapes -------------------------------------------------------------


def test_model_length_limits_are_enforced_on_the_api(api, world):
    d = world.dialogue.pk
    errors = errors_of(
        api(
            "post",
            f"/dialogues/{d}/meetings",
            {
                "title": "x" * 5000,
                "starts_at": "2030-05-01T10:00",
                "ends_at": "2030-05-01T12:00",
                "time_zone": "Europe/Vienna",
            },
        )
    )
    assert errors[0]["loc"] == ["body", "title"]
    assert "200" in errors[0]["msg"] and errors[0]["ctx"] == {"max_length": 200}
    assert not Meeting.objects.filter(title__startswith="xxx").exists()


def test_all_errors_at_once(api, world):
    errors = errors_of(
        api(
            "post",
            f"/dialogues/{world.dialogue.pk}/meetings",
            {
                "title": "x" * 201,
                "starts_at": "9999-12-31T23:00",
                "ends_at": "not a date",
                "time_zone": "UTC\x00",
            },
        )
    )
    assert {tuple(e["loc"]) for e in errors} >= {
        ("body", "title"),
        ("body", "starts_at"),
        ("body", "ends_at"),
        ("body", "time_zone"),
    }


@pytest.mark.parametrize("year", ["9999", "1850", "0001"])
def test_dates_outside_1900_to_2200_are_refused(api, pages, world, year):
    d, m = world.dialogue.pk, world.meeting.pk
    errors = errors_of(
        api("patch", f"/dialogues/{d}/meetings/{m}", {"starts_at": f"{year}-12-31T22:00:00"})
    )
    assert errors[0]["loc"] == ["body", "starts_at"] and "1900" in errors[0]["msg"]
    page = pages.post(
        f"/dialogues/{d}/meetings/{m}/edit/",
        {
            "title": "Round 2",
            "time_zone": "Europe/Vienna",
            "starts_at": f"{year}-12-31T22:00",
            "ends_at": f"{year}-12-31T23:00",
            "attribution_mode": "chatham_house",
            "venue": "",
        },
    )
    assert page.status_code == 200 and b"1900" in page.content
    world.meeting.refresh_from_db()
    assert 2000 < world.meeting.starts_at.year < 2100
    assert pages.get(f"/dialogues/{d}/meetings/{m}/").status_code == 200
    assert api("get", f"/dialogues/{d}/meetings").status_code == 200


def test_oversized_body_is_a_json_413_on_the_api_and_a_page_on_the_site(api, pages, world):
    big = json.dumps({"purpose": "x" * (3 * 1024 * 1024)})
    response = api("patch", f"/dialogues/{world.dialogue.pk}", raw=big)
    assert response.status_code == 413
    assert response.headers["Content-Type"] == "application/json"
    assert "1 MB" in response.json()["detail"]
    # the shape of every API refusal, and not kept by a browser or proxy (docs/api.md)
    assert response.json()["errors"] == [{"field": None, "message": response.json()["detail"]}]
    assert response.headers["Cache-Control"] == "no-store"
    page = pages.post(
        f"/dialogues/{world.dialogue.pk}/edit/", {"title": "T", "purpose": "x" * (3 * 1024 * 1024)}
    )
    assert page.status_code == 413 and b"Too much at once" in page.content
    assert page.headers["Cache-Control"] == "no-store"


def test_withdraw_with_a_body_that_is_not_an_object_is_422(api, world):
    person = world.persons["eli"]
    for raw in ("-210", '"notes"', "[1, 2]", "null"):
        response = api(
            "post", f"/dialogues/{world.dialogue.pk}/people/{person.pk}/withdraw", raw=raw
        )
        assert response.status_code == 422, (raw, response.status_code, response.content)
    assert Candidacy.objects.get(person=person, dialogue=world.dialogue).status != "withdrawn"


def test_malformed_json_is_400_with_what_to_send(api, world):
    response = api("patch", f"/dialogues/{world.dialogue.pk}", raw='{"title": ')
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["detail"]
    assert (
        api("patch", f"/dialogues/{world.dialogue.pk}", raw='{"k_anonymity": NaN}').status_code
        == 400
    )


def test_a_body_declared_as_anything_but_json_is_400_and_changes_nothing(api, world):
    # text/plain is how a cross-site form carries JSON; a form body is not what the API reads
    before = world.dialogue.title
    for declared in ("text/plain", "application/x-www-form-urlencoded", "text/plain\x07; x=1"):
        response = api(
            "patch",
            f"/dialogues/{world.dialogue.pk}",
            raw='{"title": "Changed"}',
            content_type=declared,
        )
        assert response.status_code == 400, (declared, response.content)
        body = response.json()
        assert "reads only JSON" in body["detail"] and "application/json" in body["detail"]
        assert "\x07" not in body["detail"]
        assert body["errors"] == [{"field": None, "message": body["detail"]}]
    world.dialogue.refresh_from_db()
    assert world.dialogue.title == before
    for declared in ("application/json; charset=utf-8", "application/merge-patch+json"):
        response = api(
            "patch",
            f"/dialogues/{world.dialogue.pk}",
            raw='{"title": "Changed"}',
            content_type=declared,
        )
        assert response.status_code == 200, (declared, response.content)


# --- a request that fails keeps nothing -------------------------------------------------------


def test_a_request_that_fails_after_writing_is_rolled_back(api, world, monkeypatch):
    """Write-then-render: the meeting is saved, then rendering its answer fails. The 500 must
    not leave the meeting behind (ATOMIC_REQUESTS)."""
    from track2.api import meetings as api_meetings

    def broken(*args, **kwargs):
        raise RuntimeError("rendering failed")

    monkeypatch.setattr(api_meetings, "meeting_out", broken)
    response = api(
        "post",
        f"/dialogues/{world.dialogue.pk}/meetings",
        {
            "title": "Round 9",
            "starts_at": "2031-05-01T10:00",
            "ends_at": "2031-05-01T12:00",
            "time_zone": "Europe/Vienna",
        },
    )
    assert response.status_code == 500
    assert not Meeting.objects.filter(title="Round 9").exists()


def test_nothing_half_written_for_a_refused_agenda_item(api, world):
    d, m = world.dialogue.pk, world.meeting.pk
    response = api(
        "post",
        f"/dialogues/{d}/meetings/{m}/agenda",
        {"title": "Opening\x1b", "duration_minutes": 30},
    )
    assert response.status_code == 422
    assert not AgendaItem.objects.filter(meeting_id=m).exists()
    assert Venue.objects.filter(dialogue_id=d).count() == 2


@pytest.mark.parametrize("huge", HUGE)
def test_huge_numbers_in_page_forms_are_form_errors(pages, world, huge):
    d, m = world.dialogue.pk, world.meeting.pk
    added = pages.post(
        f"/dialogues/{d}/meetings/{m}/participants/", {"persons": [str(huge)], "status": "invited"}
    )
    assert added.status_code == 302
    role = pages.post(f"/dialogues/{d}/roles/", {"user": str(huge), "role": "observer"})
    assert role.status_code in (200, 400)
    venue = pages.post(
        f"/dialogues/{d}/venues/",
        {"name": "Hall", "kind": "hotel", "country": "Norland", "capacity": str(huge)},
    )
    assert venue.status_code in (200, 400) and b"aria-invalid" in venue.content
    agenda = pages.post(
        f"/dialogues/{d}/meetings/{m}/agenda/", {"title": "Opening", "duration_minutes": str(huge)}
    )
    assert agenda.status_code in (200, 302, 400)
    assert not Venue.objects.filter(name="Hall").exists()
    assert not AgendaItem.objects.filter(meeting_id=m).exists()


def test_csv_export_carries_no_control_character_stored_earlier(world):
    from track2 import spreadsheet
    from track2.people import roster

    assert spreadsheet.cell("Ami\x1bna\x0b") == "Amina"
    assert spreadsheet.cell("\x1b=1+1") == "'=1+1"  # stripping must not uncover a formula
    assert spreadsheet.cell("line one\nline two\ttab") == "line one\nline two\ttab"
    Person.objects.filter(pk=world.persons["eli"].pk).update(full_name="Eli\x1b Unseated\x7f")
    text = roster.export_csv(world.dialogue)
    assert "Eli Unseated" in text and "\x1b" not in text and "\x7f" not in text


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\ufffd"])
def test_page_filters_with_odd_characters_answer_a_page(pages, world, char):
    listed = pages.get(
        f"/dialogues/{world.dialogue.pk}/people/", {"q": f"a{char}b", "country": char}
    )
    assert listed.status_code in (200, 400)


def test_schema_refusals_say_what_to_do(api, world):
    errors = {
        tuple(e["loc"]): e["msg"]
        for e in errors_of(
            api(
                "post",
                f"/dialogues/{world.dialogue.pk}/meetings",
                {
                    "starts_at": "next tuesday",
                    "ends_at": "2030-05-01T12:00",
                    "time_zone": "UTC",
                    "venue_id": 0,
                },
            )
        )
    }
    assert errors[("body", "title")] == "This field is required; send it."
    assert "ISO 8601" in errors[("body", "starts_at")]
    assert "Out of range" in errors[("body", "venue_id")]


def test_a_page_that_fails_after_saving_keeps_nothing(pages, world, monkeypatch):
    """The page version: the meeting is saved, then the neutrality check that follows fails."""
    from track2.meetings import views as meeting_views

    def broken(*args, **kwargs):
        raise RuntimeError("check failed")

    monkeypatch.setattr(meeting_views, "neutrality_warning", broken)
    response = pages.post(
        f"/dialogues/{world.dialogue.pk}/meetings/new/",
        {
            "title": "Round 9",
            "time_zone": "Europe/Vienna",
            "starts_at": "2031-05-01T10:00",
            "ends_at": "2031-05-01T12:00",
            "attribution_mode": "chatham_house",
            "venue": "",
        },
    )
    assert response.status_code == 500
    assert not Meeting.objects.filter(title="Round 9").exists()


# --- bodies Django's parser refuses (audit of accounts, finding 9) ------------------------------


def _multipart(*parts: tuple[str, str | None, bytes], boundary: str = "t2boundary") -> bytes:
    body = b""
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' + (
            f'; filename="{filename}"' if filename is not None else ""
        )
        body += f"--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n".encode()
        body += content + b"\r\n"
    return body + f"--{boundary}--\r\n".encode()


ROW = b"full_name,email,sector,country,nominated_by\r\n"
UNREADABLE = [
    # no boundary at all
    ("multipart/form-data", b"xxxx", "not a well-formed multipart form", "file"),
    # a file name that takes the part's header over Django's 1,024 bytes
    (
        "multipart/form-data; boundary=t2boundary",
        _multipart(("file", "n" * 5000 + ".csv", ROW)),
        "name is too long",
        "file",
    ),
    (
        "multipart/form-data; boundary=t2boundary",
        _multipart(*[("file", f"r{i}.csv", ROW) for i in range(101)]),
        "Too many files at once (more than 100)",
        "file",
    ),
    (
        "multipart/form-data; boundary=t2boundary",
        _multipart(*[(f"f{i}", None, b"1") for i in range(1001)]),
        "too many fields (more than 1000)",
        None,
    ),
]


@pytest.mark.parametrize(("content_type", "body", "says", "field"), UNREADABLE)
def test_an_unreadable_upload_is_named_in_json_on_the_api(
    api, world, content_type, body, says, field
):
    people = Person.objects.count()
    for confirm in ("false", "true"):
        response = api(
            "post",
            f"/dialogues/{world.dialogue.pk}/people/roster?confirm={confirm}",
            raw=body,
            content_type=content_type,
        )
        assert response.status_code == 400, response.content[:300]
        assert response.headers["Content-Type"].startswith("application/json")
        answer = response.json()
        assert says in answer["detail"] and answer["field"] == field
        assert answer["errors"] == [{"field": field, "message": answer["detail"]}]
    assert Person.objects.count() == people


def test_an_unreadable_upload_is_named_on_the_api_for_a_browser_session_too(client, world):
    # A session (the API reference page's "try it"): the CSRF check reads the body first.
    client.force_login(world.users["convener"])
    client.raise_request_exception = False
    content_type, body, says, field = UNREADABLE[1]
    response = client.post(
        f"/api/v1/dialogues/{world.dialogue.pk}/people/roster",
        body,
        content_type=content_type,
    )
    assert response.status_code == 400, response.content[:300]
    assert response.headers["Content-Type"].startswith("application/json")
    assert says in response.json()["detail"] and response.json()["field"] == field


@pytest.mark.parametrize(("content_type", "body", "says", "field"), UNREADABLE)
def test_an_unreadable_upload_is_named_on_the_page(pages, world, content_type, body, says, field):
    response = pages.post(
        f"/dialogues/{world.dialogue.pk}/people/import/", body, content_type=content_type
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The form could not be read" in page and says in page
    assert "<h1>Bad Request (400)</h1>" not in page


def test_too_many_fields_in_an_ordinary_form_is_named_on_the_page(pages, world):
    fields = {f"f{i}": "1" for i in range(1001)}
    response = pages.post(f"/dialogues/{world.dialogue.pk}/edit/", fields)
    assert response.status_code == 400
    assert "too many fields (more than 1000)" in response.content.decode()
