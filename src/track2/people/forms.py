"""Forms of the people pages. They parse input; the rules live in people.actions."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.utils.translation import gettext_lazy as _

from track2.dialogues.models import Delegation, Dialogue, Role
from track2.people.actions import CANDIDACY, LIST_FIELDS, PERSON
from track2.people.models import Candidacy, Gender, Sector
from track2.site.forms import InputRules, declared_form

TAGS_HELP = _("separate entries with semicolons, e.g. fisheries; maritime law")
RISK_NOTES_LABEL = _("Risk and sensitivity notes")
RISK_NOTES_HELP = _(
    "seen only by this dialogue's conveners, never in other dialogues the person takes part in"
)


class DelegationChoiceMixin:
    def limit_delegations(self, dialogue: Dialogue) -> None:
        self.fields["delegation"].queryset = Delegation.objects.filter(dialogue=dialogue)


def _role_field() -> forms.Field:
    return forms.ChoiceField(
        label=_("Role in this dialogue"), choices=Role.choices, initial=Role.PARTICIPANT
    )


def _delegation_field() -> forms.Field:
    return forms.ModelChoiceField(
        label=_("Delegation"),
        queryset=Delegation.objects.none(),
        required=False,
        empty_label=_("— none yet —"),
        help_text=_("the side the person will sit with once they accept"),
    )


class CandidacyFieldsForm(InputRules, DelegationChoiceMixin, forms.Form):
    role = _role_field()
    delegation = _delegation_field()


def _person_fields(*, sector_choices, email_help="") -> dict[str, forms.Field]:
    """The fields of PERSON whose page form differs from the model's own (the rest, name,
    pronouns, country and phone, are the model's): the e-mail address is checked by the action
    (one message for page and API), tags are typed separated by semicolons."""
    return {
        "email": forms.CharField(label=_("E-mail address"), max_length=254, help_text=email_help),
        "sector": forms.ChoiceField(label=_("Sector"), choices=sector_choices),
        "languages": forms.CharField(label=_("Languages"), required=False, help_text=TAGS_HELP),
        "expertise": forms.CharField(label=_("Expertise"), required=False, help_text=TAGS_HELP),
        "gender": forms.ChoiceField(
            label=_("Gender (optional, for balance reports only)"),
            choices=Gender.choices,
            required=False,
        ),
    }


def _risk_notes_field() -> forms.Field:
    return forms.CharField(
        label=RISK_NOTES_LABEL,
        help_text=RISK_NOTES_HELP,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PersonForm(
    InputRules,
    DelegationChoiceMixin,
    declared_form(
        PERSON,
        **_person_fields(
            sector_choices=[("", "—")] + Sector.choices,
            email_help=_("invitations are sent here; one directory entry per address"),
        ),
    ),
    declared_form(
        CANDIDACY,
        role=_role_field(),
        delegation=_delegation_field(),
        risk_notes=_risk_notes_field(),
    ),
):
    """Add a person by hand: the fields of PERSON and CANDIDACY, plus who nominated them and
    their current affiliation."""

    field_order = [
        "full_name",
        "email",
        "pronouns",
        "sector",
        "country",
        "organisation",
        "position",
        "languages",
        "expertise",
        "phone",
        "gender",
        "risk_notes",
        "nominated_by",
        "role",
        "delegation",
    ]

    organisation = forms.CharField(label=_("Current organisation"), max_length=200, required=False)
    position = forms.CharField(label=_("Position there"), max_length=200, required=False)
    nominated_by = forms.CharField(
        label=_("Nominated by"), max_length=200, help_text=_("who proposed this person")
    )


class NominateExistingForm(CandidacyFieldsForm):
    field_order = ["email", "nominated_by", "role", "delegation"]

    email = forms.CharField(label=_("E-mail address of the person"), max_length=254)
    nominated_by = forms.CharField(label=_("Nominated by"), max_length=200)


class PersonEditForm(
    InputRules, declared_form(PERSON, **_person_fields(sector_choices=Sector.choices))
):
    """The fields of PERSON: the directory entry, shared by the institution's dialogues."""

    @classmethod
    def initial_for(cls, person) -> dict:
        initial = {name: getattr(person, name) for name in PERSON}
        for name in LIST_FIELDS:
            initial[name] = "; ".join(initial[name])
        return initial

    def keep_account_address(self, person) -> None:
        """Someone with an account owns their address (the action refuses a change anyway): show it
        as it is, not as a field that invites a change."""
        if person.user_id is None:
            return
        field = self.fields["email"]
        field.disabled = True
        field.initial = person.email
        field.help_text = _("The address of their account: only they can change it, signed in.")


class AffiliationForm(InputRules, forms.Form):
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    is_current = forms.BooleanField(label=_("current"), required=False)
    until_year = forms.IntegerField(
        label=_("until (year)"), required=False, min_value=1900, max_value=2100
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Shown as a table whose column headers are visible; each input still gets its own name.
        number = (self.prefix or "0").rsplit("-", 1)[-1]
        number = str(int(number) + 1) if number.isdigit() else number
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = f"{field.label} ({number})"


AffiliationFormSet = forms.formset_factory(AffiliationForm, extra=2, max_num=30, validate_max=True)


class CandidacyEditForm(
    InputRules,
    DelegationChoiceMixin,
    declared_form(
        CANDIDACY,
        role=_role_field(),
        delegation=_delegation_field(),
        risk_notes=_risk_notes_field(),
    ),
):
    """The fields of CANDIDACY: this dialogue's role, delegation and risk notes."""

    prefix = "candidacy"

    @classmethod
    def initial_for(cls, candidacy: Candidacy) -> dict:
        return {name: getattr(candidacy, name) for name in CANDIDACY}


class VetForm(InputRules, forms.Form):
    vouched_by = forms.CharField(
        label=_("Vouched for by"),
        max_length=200,
        help_text=_("who knows the person and stands for them"),
    )
    notes = forms.CharField(
        label=_("Vetting notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class NotesForm(InputRules, forms.Form):
    notes = forms.CharField(
        label=_("Reason (kept in the history)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RenominateForm(InputRules, forms.Form):
    nominated_by = forms.CharField(label=_("Nominated by"), max_length=200)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class PeopleFilterForm(InputRules, forms.Form):
    q = forms.CharField(
        label=_("Search name, organisation or expertise"), required=False, max_length=100
    )
    sector = forms.ChoiceField(
        label=_("Sector"), choices=[("", _("any"))] + Sector.choices, required=False
    )
    country = forms.ChoiceField(label=_("Country"), choices=[("", _("any"))], required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("any"))] + Candidacy.Status.choices, required=False
    )
    delegation = forms.ChoiceField(label=_("Delegation"), choices=[("", _("any"))], required=False)

    def __init__(self, *args, dialogue: Dialogue, countries: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("any"))] + [(c, c) for c in countries]
        self.fields["delegation"].choices = [("", _("any")), ("none", _("no delegation"))] + [
            (str(d.pk), d.name) for d in Delegation.objects.filter(dialogue=dialogue)
        ]


class RosterUploadForm(InputRules, forms.Form):
    file = forms.FileField(
        label=_("Roster file (CSV, UTF-8)"),
        help_text=_("one person per row; see the column list below"),
        # A hint to the browser's file chooser; the importer checks what the file really is.
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )


class NewAccountForm(InputRules, forms.Form):
    display_name = forms.CharField(
        label=_("Your name as others see it"), max_length=200, required=False
    )
    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("at least 10 characters, not a common password"),
    )
    password2 = forms.CharField(
        label=_("The same password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error(
                "password2", _("The two passwords differ; type the same password twice.")
            )
        elif first:
            User = get_user_model()
            try:
                validate_password(
                    first, user=User(email=self.email, display_name=cleaned.get("display_name", ""))
                )
            except forms.ValidationError as err:
                self.add_error("password1", err)
        return cleaned
