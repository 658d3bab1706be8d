"""A choice of objects by id (InputRules on a ModelChoiceField) refuses what no id can be as an
invalid choice, never a server error."""

import pytest
from django import forms

from track2.institutions.models import Institution
from track2.site.forms import InputRules

pytestmark = pytest.mark.django_db


class ChooseInstitution(InputRules, forms.Form):
    institution = forms.ModelChoiceField(queryset=Institution.objects.all())


@pytest.mark.parametrize(
    "typed", ["²", "--5", "-", "1e400", "NaN", "٣x", str(2**63), "-" + str(2**63), "a\x07"]
)
def test_a_value_no_id_can_be_is_an_invalid_choice(typed):
    form = ChooseInstitution({"institution": typed})
    assert not form.is_valid()
    assert form.errors["institution"][0].startswith("Select a valid choice")


def test_a_real_id_is_chosen():
    institution = Institution.objects.create(name="Chosen")
    form = ChooseInstitution({"institution": str(institution.pk)})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["institution"] == institution
