"""The upgrade to institutions keeps every dialogue and person, on real data, through Django's
migration executor."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from track2.institutions.upgrade import FALLBACK_NAME, upgrade_institution_name

BEFORE = [("dialogues", "0004_venue_dialogue"), ("people", "0003_remove_person_risk_notes")]
AFTER = [
    ("dialogues", "0006_tenancy_institution_required"),
    ("people", "0005_tenancy_institution_required"),
]


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor.migrate(target).apps


@pytest.fixture(scope="module")
def at_before(django_db_setup, django_db_blocker):
    """The database taken back once for the module's tests (going back undoes nearly every app,
    and coming forward again redoes them: seconds each way), and forward again after them,
    emptied as a transactional test leaves it."""
    with django_db_blocker.unblock():
        leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
        # The historical models at BEFORE, kept for the next test (rendering them costs seconds).
        at = {"apps": _migrate(BEFORE)}
        yield at
        _migrate(leaves)
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def before(at_before, django_db_blocker):
    """The historical models before institutions, on empty tables; each test's rows and steps
    forward are undone after it (only the institutions' own migrations, which is quick)."""
    with django_db_blocker.unblock():
        yield at_before["apps"]
        at_before["apps"] = _migrate(BEFORE)
        tables = [t for t in connection.introspection.table_names() if t != "django_migrations"]
        connection.ops.execute_sql_flush(
            connection.ops.sql_flush(no_style(), tables, reset_sequences=True, allow_cascade=True)
        )


def _old_site(
    apps, institutions=("Institute for Maritime Dialogue", "institute for maritime  dialogue")
):
    User = apps.get_model("accounts", "User")
    Dialogue = apps.get_model("dialogues", "Dialogue")
    Membership = apps.get_model("dialogues", "Membership")
    Person = apps.get_model("people", "Person")
    Candidacy = apps.get_model("people", "Candidacy")
    ilse = User.objects.create(email="ilse@example.org", display_name="Ilse")
    noor = User.objects.create(email="noor@example.org", display_name="Noor")
    dialogues = [
        Dialogue.objects.create(title=f"Talks {n}", convening_institution=text)
        for n, text in enumerate(institutions)
    ]
    Membership.objects.create(dialogue=dialogues[0], user=ilse, role="convener")
    Membership.objects.create(dialogue=dialogues[-1], user=noor, role="facilitator")
    arin = Person.objects.create(
        full_name="Arin", email="arin@example.org", sector="academia", country="C"
    )
    lonely = Person.objects.create(
        full_name="Bo", email="bo@example.org", sector="media", country="O"
    )
    Candidacy.objects.create(
        dialogue=dialogues[0], person=arin, nominated_by="x", risk_notes="kept"
    )
    return {
        "ilse": ilse.pk,
        "noor": noor.pk,
        "dialogues": [d.pk for d in dialogues],
        "people": [arin.pk, lonely.pk],
    }


def test_existing_dialogues_people_and_conveners_move_into_one_institution(before):
    ids = _old_site(before)
    after = _migrate(AFTER)
    Institution = after.get_model("institutions", "Institution")
    (institution,) = Institution.objects.all()
    # Both dialogues named the same institution (case and spacing aside): that name is kept.
    assert institution.name == "Institute for Maritime Dialogue"
    Dialogue = after.get_model("dialogues", "Dialogue")
    assert set(Dialogue.objects.values_list("pk", "institution_id")) == {
        (pk, institution.pk) for pk in ids["dialogues"]
    }
    Person = after.get_model("people", "Person")
    assert set(Person.objects.values_list("pk", "institution_id")) == {
        (pk, institution.pk) for pk in ids["people"]
    }
    # Conveners (only they) get the right to convene there.
    rights = after.get_model("institutions", "ConveningRight").objects
    assert list(rights.values_list("user_id", "institution_id")) == [(ids["ilse"], institution.pk)]
    # Nothing else was lost.
    Candidacy = after.get_model("people", "Candidacy")
    assert Candidacy.objects.get().risk_notes == "kept"


def test_the_setting_names_the_institution(before, settings):
    settings.TRACK2_DEFAULT_INSTITUTION = "Centre for Quiet Diplomacy"
    _old_site(before, institutions=("A", "B"))
    after = _migrate(AFTER)
    names = list(
        after.get_model("institutions", "Institution").objects.values_list("name", flat=True)
    )
    assert names == ["Centre for Quiet Diplomacy"]


def test_dialogues_that_disagree_get_a_name_to_change(before):
    _old_site(before, institutions=("Institute A", "Institute B", ""))
    after = _migrate(AFTER)
    names = list(
        after.get_model("institutions", "Institution").objects.values_list("name", flat=True)
    )
    assert names == [FALLBACK_NAME]


def test_an_empty_site_gets_no_institution(before):
    after = _migrate(AFTER)
    assert not after.get_model("institutions", "Institution").objects.exists()


def test_people_without_any_dialogue_still_get_an_institution(before):
    before.get_model("people", "Person").objects.create(
        full_name="Bo", email="bo@example.org", sector="media", country="O"
    )
    after = _migrate(AFTER)
    person = after.get_model("people", "Person").objects.get()
    assert person.institution.name == FALLBACK_NAME


def test_going_back_keeps_the_data(before):
    ids = _old_site(before)
    _migrate(AFTER)
    back = _migrate(BEFORE)
    assert back.get_model("dialogues", "Dialogue").objects.count() == len(ids["dialogues"])
    assert back.get_model("people", "Person").objects.count() == 2


@pytest.mark.parametrize(
    ("configured", "texts", "expected"),
    [
        ("  Centre   for Talks ", ["A"], "Centre for Talks"),
        ("", ["Institute X", " institute  x "], "Institute X"),
        ("", ["Institute X", "Institute Y"], FALLBACK_NAME),
        ("", ["", "  "], FALLBACK_NAME),
        ("", [], FALLBACK_NAME),
        ("x" * 500, [], "x" * 200),
    ],
)
def test_upgrade_institution_name(configured, texts, expected):
    assert upgrade_institution_name(configured, texts) == expected
