"""Every output of a dialogue carries the status line (STYLE.md §14): render each format and
look for it — pages, API answers, the roster CSV, the invitation e-mail, the calendar file,
the analysis reports and the command line."""

from __future__ import annotations

import html
import json
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from tests.dialogues.test_api import bearer
from track2.disclosure.status import STATUS_LINE
from track2.people import actions as people_actions
from track2.people.models import Candidacy
from track2.simulate.dialogue import SimulationParams, write_polis_folder


def _has_status(text: str) -> bool:
    return STATUS_LINE in html.unescape(text)


@pytest.mark.parametrize("page", ["detail", "meeting", "balance"])
def test_pages_with_dialogue_outputs(world, signed_in, page) -> None:
    args = {
        "detail": [world.dialogue.pk],
        "meeting": [world.dialogue.pk, world.meeting.pk],
        "balance": [world.dialogue.pk],
    }[page]
    response = signed_in(world.users["convener"]).get(reverse(f"dialogues:{page}", args=args))
    assert response.status_code == 200 and _has_status(response.content.decode())


@pytest.mark.parametrize(
    "path", ["/dialogues/{d}", "/dialogues/{d}/meetings/{m}", "/dialogues/{d}/balance"]
)
def test_api_answers_with_outputs(world, client, path) -> None:
    url = "/api/v1" + path.format(d=world.dialogue.pk, m=world.meeting.pk)
    answer = client.get(url, **bearer(world.users["convener"]))
    assert answer.status_code == 200 and answer.json()["status_line"] == STATUS_LINE


def test_every_dialogue_in_the_list_carries_it(world, client) -> None:
    answer = client.get("/api/v1/dialogues", **bearer(world.users["participant"]))
    assert answer.json()["items"] and all(
        d["status_line"] == STATUS_LINE for d in answer.json()["items"]
    )


def test_roster_csv_page_and_api(world, signed_in, client) -> None:
    page = signed_in(world.users["convener"]).get(
        reverse("people:export", args=[world.dialogue.pk])
    )
    assert page.content.decode("utf-8-sig").splitlines()[0] == f"# {STATUS_LINE}"
    api = client.get(
        f"/api/v1/dialogues/{world.dialogue.pk}/people/roster.csv",
        **bearer(world.users["convener"]),
    )
    assert api.content.decode("utf-8-sig").splitlines()[0] == f"# {STATUS_LINE}"


def test_invitation_email(world) -> None:
    candidacy = Candidacy.objects.get(dialogue=world.dialogue, person=world.persons["eli"])
    Candidacy.objects.filter(pk=candidacy.pk).update(status=Candidacy.Status.NOMINATED)
    candidacy.refresh_from_db()
    people_actions.do_vet(world.users["convener"], candidacy, vouched_by="Dr Vouch")
    people_actions.do_invite(world.users["convener"], candidacy, base_url="https://track2.example")
    assert _has_status(mail.outbox[-1].body)


def test_calendar_file(world, signed_in) -> None:
    response = signed_in(world.users["participant"]).get(
        reverse("dialogues:meeting_ics", args=[world.dialogue.pk, world.meeting.pk])
    )
    unfolded = response.content.decode().replace("\r\n ", "").replace("\\,", ",")
    assert STATUS_LINE in unfolded


@pytest.fixture(scope="module")
def conversation(tmp_path_factory):
    folder = tmp_path_factory.mktemp("status")
    write_polis_folder(
        folder, SimulationParams(n_participants=60, n_statements=12, n_groups=2), seed=1
    )
    return folder


@pytest.mark.parametrize("fmt", ["text", "html", "json"])
def test_analysis_reports_and_the_command_line(conversation, tmp_path, fmt) -> None:
    out = StringIO()
    call_command("analyze", str(conversation), "--format", fmt, stdout=out)
    text = out.getvalue()
    if fmt == "json":
        assert json.loads(text)["status"] == STATUS_LINE
    else:
        assert _has_status(text)
    # Written to a file: the file has it, and so does what the terminal shows.
    target = tmp_path / f"report.{fmt}"
    said = StringIO()
    call_command(
        "analyze", str(conversation), "--format", fmt, "--output", str(target), stdout=said
    )
    assert STATUS_LINE in said.getvalue() and _has_status(target.read_text())


def test_the_outcome_documents_page_carries_it(world, signed_in) -> None:
    response = signed_in(world.users["participant"]).get(
        reverse("outcomes:documents", args=[world.dialogue.pk])
    )
    assert response.status_code == 200 and _has_status(response.content.decode())


def test_the_sentence_is_written_once_in_the_code() -> None:
    """Outputs ask the disclosure layer for the line; none carries its own copy (which would
    neither follow a change nor be translated)."""
    from pathlib import Path

    src = Path(__file__).resolve().parents[2] / "src" / "track2"
    holders = sorted(
        str(path.relative_to(src))
        for path in src.rglob("*")
        if path.suffix in (".py", ".html", ".txt", ".md")
        and "Non-binding. Participants" in path.read_text(encoding="utf-8")
    )
    assert holders == ["disclosure/status.py"]
