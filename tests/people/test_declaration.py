"""The person's and the candidacy's editable fields are declared once (people.actions.PERSON and
CANDIDACY): the page forms and the API's In/Patch schemas are built from the declaration, so a
field added to it (or taken out) reaches both, and do_update_person goes through apply_update."""

from __future__ import annotations

import importlib

import pytest

from track2.api import people as people_api
from track2.audit.models import AuditEntry
from track2.editable import Editable
from track2.people import actions
from track2.people import forms as people_forms
from track2.people.models import Person

API_NAMES = [
    "delegation_id" if n == "delegation" else n for n in (*actions.PERSON, *actions.CANDIDACY)
]


def test_the_forms_have_the_declared_fields_in_order():
    assert list(people_forms.PersonEditForm.base_fields) == list(actions.PERSON)
    assert list(people_forms.CandidacyEditForm.base_fields) == list(actions.CANDIDACY)
    adding = set(people_forms.PersonForm.base_fields)
    assert adding == {
        *actions.PERSON,
        *actions.CANDIDACY,
        "nominated_by",
        "organisation",
        "position",
    }


def test_the_api_schemas_have_the_declared_fields():
    assert list(people_api.PersonPatch.model_fields) == API_NAMES
    assert list(people_api.PersonIn.model_fields) == [
        *API_NAMES,
        "nominated_by",
        "organisation",
        "position",
    ]


@pytest.fixture
def rebuilt(monkeypatch):
    """The forms and API modules built again from another declaration (restored afterwards)."""

    def rebuild(names):
        monkeypatch.setattr(actions, "PERSON", Editable(Person, names))
        return importlib.reload(people_forms), importlib.reload(people_api)

    yield rebuild
    monkeypatch.undo()
    importlib.reload(people_forms)
    importlib.reload(people_api)


def test_a_field_added_to_the_declaration_reaches_form_and_schemas(rebuilt):
    names = tuple(n for n in actions.PERSON if n != "phone") + ("user",)
    forms_module, api_module = rebuilt(names)
    form_fields = forms_module.PersonEditForm.base_fields
    assert "user" in form_fields and "phone" not in form_fields
    assert "user" in forms_module.PersonForm.base_fields
    assert "phone" not in forms_module.PersonForm.base_fields
    for schema in (api_module.PersonIn, api_module.PersonPatch):
        assert "user_id" in schema.model_fields  # a reference: its id
        assert "phone" not in schema.model_fields


def test_the_same_limit_in_form_and_schema():
    # The model's limits, through both builders (e.g. pronouns: 40 characters).
    form_field = people_forms.PersonEditForm.base_fields["pronouns"]
    schema_field = people_api.PersonPatch.model_fields["pronouns"]
    assert form_field.max_length == Person._meta.get_field("pronouns").max_length == 40
    too_long = {"pronouns": "x" * 41}
    assert not people_forms.PersonEditForm(data=too_long).is_valid()
    with pytest.raises(ValueError, match="40"):
        people_api.PersonPatch(**too_long)
    assert schema_field is not None


def test_an_update_is_recorded_with_the_fields_that_changed(add_person, convener):
    person = add_person().person
    actions.do_update_person(convener, person, phone="+43 1 000", pronouns=person.pronouns)
    entry = AuditEntry.objects.filter(action="update").latest("pk")
    assert entry.fields == ["phone"]
    assert entry.actor == convener and (entry.object_type, entry.object_id) == ("person", person.pk)
