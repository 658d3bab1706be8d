"""Risk notes belong to a candidacy: one dialogue's conveners never read another dialogue's notes.

The directory is shared (one Person per e-mail address), so notes kept on the Person leaked to
the conveners of every dialogue the person was nominated to. These tests drive the pages, the API
and the CSV exports as two conveners of two dialogues who share one person.
"""

import csv
import io

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from tests.helpers import sign_in
from track2.accounts.actions import do_create_api_token
from track2.dialogues.models import Dialogue
from track2.people import actions, roster
from track2.people.models import Candidacy

A_NOTES = "Brother detained in 2023; never list her name in a shared summary."
B_NOTES = "Cannot travel through Northland airports."


@pytest.fixture
def dialogue_b(institution):
    # The same institution: its conveners share the directory, but never each other's notes.
    return Dialogue.objects.create(
        title="Second Channel Talks", purpose="Energy corridors.", institution=institution
    )


@pytest.fixture
def convener_b(make_user, member_of, dialogue_b):
    # A convener of dialogue B only.
    return member_of(
        make_user("b-convener@example.org", display_name="Bea Convener"), "convener", to=dialogue_b
    )


def api_client(user):
    raw, _token = do_create_api_token(user, "script")
    http = Client()

    def call(method, path, json=None):
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
        if json is not None:
            kwargs.update(data=json, content_type="application/json")
        return getattr(http, method)("/api/v1" + path, **kwargs)

    return call


def csv_rows(text: str) -> list[dict]:
    """The export's rows, after its first line (the status line)."""
    status, rest = text.lstrip("\ufeff").split("\r\n", 1)
    assert status == "# Unofficial. Non-binding. Participants took part in a personal capacity."
    return list(csv.DictReader(io.StringIO(rest)))


@pytest.fixture
def shared(add_person, convener, convener_b, dialogue, dialogue_b):
    """Amina, added with risk notes by A's convener, then nominated to B by B's convener (API)."""
    in_a = add_person("amina@example.org", risk_notes=A_NOTES)
    nominated = api_client(convener_b)(
        "post",
        f"/dialogues/{dialogue_b.pk}/people/nominate",
        {"email": "amina@example.org", "nominated_by": "Dr. B"},
    )
    assert nominated.status_code == 201, nominated.content
    assert A_NOTES not in nominated.content.decode()
    assert nominated.json()["candidacy"]["risk_notes"] == ""
    return in_a, Candidacy.objects.get(dialogue=dialogue_b, person=in_a.person)


def test_b_convener_sees_none_of_a_notes_on_pages_api_or_csv(
    shared, convener, convener_b, dialogue, dialogue_b
):
    in_a, in_b = shared
    person_id = in_a.person_id
    assert in_b.risk_notes == ""

    b_pages = Client()
    sign_in(b_pages, convener_b)
    for url in (
        reverse("people:list", args=[dialogue_b.pk]),
        reverse("people:detail", args=[dialogue_b.pk, person_id]),
        reverse("people:edit", args=[dialogue_b.pk, person_id]),
        reverse("people:export", args=[dialogue_b.pk]),
    ):
        response = b_pages.get(url)
        assert response.status_code == 200, url
        assert A_NOTES not in response.content.decode(), url
        assert "Brother detained" not in response.content.decode(), url

    b_api = api_client(convener_b)
    for path in (
        f"/dialogues/{dialogue_b.pk}/people",
        f"/dialogues/{dialogue_b.pk}/people/{person_id}",
        f"/dialogues/{dialogue_b.pk}/people/roster.csv",
    ):
        response = b_api("get", path)
        assert response.status_code == 200, path
        assert "Brother detained" not in response.content.decode(), path
    assert (
        b_api("get", f"/dialogues/{dialogue_b.pk}/people/{person_id}").json()["candidacy"][
            "risk_notes"
        ]
        == ""
    )
    assert (
        csv_rows(b_api("get", f"/dialogues/{dialogue_b.pk}/people/roster.csv").content.decode())[0][
            "risk_notes"
        ]
        == ""
    )

    # The notes are still there for A's conveners, on every channel (so the checks above are not vacuous).
    a_pages = Client()
    sign_in(a_pages, convener)
    assert (
        A_NOTES
        in a_pages.get(reverse("people:detail", args=[dialogue.pk, person_id])).content.decode()
    )
    assert (
        A_NOTES
        in a_pages.get(reverse("people:edit", args=[dialogue.pk, person_id])).content.decode()
    )
    assert (
        csv_rows(a_pages.get(reverse("people:export", args=[dialogue.pk])).content.decode())[0][
            "risk_notes"
        ]
        == A_NOTES
    )
    a_api = api_client(convener)
    assert (
        a_api("get", f"/dialogues/{dialogue.pk}/people/{person_id}").json()["candidacy"][
            "risk_notes"
        ]
        == A_NOTES
    )


def test_each_dialogue_writes_its_own_notes(shared, convener, convener_b, dialogue, dialogue_b):
    in_a, in_b = shared
    person_id = in_a.person_id
    b_api = api_client(convener_b)
    patched = b_api(
        "patch", f"/dialogues/{dialogue_b.pk}/people/{person_id}", {"risk_notes": B_NOTES}
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["candidacy"]["risk_notes"] == B_NOTES
    # Editing the shared profile from B leaves A's notes alone, and A never sees B's.
    b_pages = Client()
    sign_in(b_pages, convener_b)
    edit = b_pages.post(
        reverse("people:edit", args=[dialogue_b.pk, person_id]),
        {
            "full_name": "Amina Diallo",
            "email": "amina@example.org",
            "sector": "academia",
            "country": "Northland",
            "aff-TOTAL_FORMS": "0",
            "aff-INITIAL_FORMS": "0",
            "aff-MIN_NUM_FORMS": "0",
            "aff-MAX_NUM_FORMS": "30",
            "candidacy-role": "participant",
            "candidacy-delegation": "",
            "candidacy-risk_notes": B_NOTES + " Visa late.",
        },
    )
    assert edit.status_code == 302, edit.content.decode()[:2000]
    in_a.refresh_from_db()
    in_b.refresh_from_db()
    assert in_a.risk_notes == A_NOTES
    assert in_b.risk_notes == B_NOTES + " Visa late."
    a_pages = Client()
    sign_in(a_pages, convener)
    assert (
        "Northland airports"
        not in a_pages.get(reverse("people:detail", args=[dialogue.pk, person_id])).content.decode()
    )
    assert "Northland airports" not in roster.export_csv(dialogue)
    a_api = api_client(convener)
    assert (
        "Northland airports"
        not in a_api("get", f"/dialogues/{dialogue.pk}/people/{person_id}").content.decode()
    )


def test_a_profile_update_no_longer_takes_risk_notes(add_person, convener):
    candidacy = add_person(risk_notes="x")
    with pytest.raises(ValueError, match="not person fields"):
        actions.do_update_person(convener, candidacy.person, risk_notes="y")


def test_roster_import_puts_notes_on_the_new_candidacy(dialogue, convener):
    text = (
        "full_name,email,sector,country,nominated_by,risk_notes\nWei Chen,wei@example.org,think_tank,Southland,Dr. X,"
        '" Needs a discreet venue "\n'
    )
    (candidacy,) = roster.do_import_roster(convener, dialogue, text)
    assert candidacy.risk_notes == "Needs a discreet venue"
    assert csv_rows(roster.export_csv(dialogue))[0]["risk_notes"] == "Needs a discreet venue"


def test_exported_notes_are_neutralised(add_person, dialogue):
    add_person(risk_notes='=HYPERLINK("http://evil.example","x")')
    assert csv_rows(roster.export_csv(dialogue))[0]["risk_notes"].startswith("'=")


# --- the migration that moved the notes -----------------------------------------------------


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    # migrate() returns the project state after migrating: the models as the database now is.
    return executor.migrate(target).apps


@pytest.fixture
def before_move(transactional_db):
    """The database as it was before risk notes moved (people at 0001); put back afterwards."""
    # Every app back to its latest migration afterwards: going back also undid the apps that
    # depend on people (meetings, the room, facilitation…), and later tests need their tables.
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    apps = _migrate([("people", "0001_initial")])
    yield apps
    _migrate(leaves)


def test_migration_copies_each_person_notes_to_every_candidacy_and_back(before_move):
    old = before_move
    Dialogue_, Person, Candidacy_ = (
        old.get_model("dialogues", "Dialogue"),
        old.get_model("people", "Person"),
        old.get_model("people", "Candidacy"),
    )
    # Only people went back; dialogues keep their institution.
    institution = old.get_model("institutions", "Institution").objects.create(name="Upgrade test")
    first = Dialogue_.objects.create(title="One", institution=institution)
    second = Dialogue_.objects.create(title="Two", institution=institution)
    noted = Person.objects.create(
        full_name="N", email="n@example.org", sector="academia", country="X", risk_notes="Sensitive"
    )
    plain = Person.objects.create(
        full_name="P", email="p@example.org", sector="academia", country="X"
    )
    for dialogue in (first, second):
        Candidacy_.objects.create(dialogue=dialogue, person=noted, nominated_by="x")
    Candidacy_.objects.create(dialogue=first, person=plain, nominated_by="x")

    new = _migrate([("people", "0003_remove_person_risk_notes")])
    moved = new.get_model("people", "Candidacy").objects
    assert (
        sorted(moved.filter(person_id=noted.pk).values_list("risk_notes", flat=True))
        == ["Sensitive"] * 2
    )
    assert moved.get(person_id=plain.pk).risk_notes == ""
    # Each dialogue's notes now differ; going back joins them on the person.
    moved.filter(person_id=noted.pk, dialogue_id=second.pk).update(risk_notes="Only in two")

    back = _migrate([("people", "0001_initial")])
    People = back.get_model("people", "Person").objects
    assert People.get(pk=noted.pk).risk_notes == "Sensitive\n\nOnly in two"
    assert People.get(pk=plain.pk).risk_notes == ""


def test_migration_refuses_to_drop_notes_of_a_person_without_candidacy(before_move):
    Person = before_move.get_model("people", "Person")
    lonely = Person.objects.create(
        full_name="L",
        email="l@example.org",
        sector="academia",
        country="X",
        risk_notes="Would be lost",
    )
    with pytest.raises(RuntimeError, match=rf"person ids \[{lonely.pk}\]"):
        _migrate([("people", "0003_remove_person_risk_notes")])
    # Nothing was changed: the notes are still on the person, at the old schema.
    assert Person.objects.get(pk=lonely.pk).risk_notes == "Would be lost"
    Person.objects.filter(pk=lonely.pk).update(
        risk_notes=""
    )  # so the fixture can migrate forward again
