"""Forms parse what people type; the rules are in actions (a refusal lands on a field)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from track2.dialogues.actions import DELEGATION, DIALOGUE_FIELDS, PARTY
from track2.dialogues.models import Delegation, Dialogue, Party, Role, Venue
from track2.dialogues.venue_actions import VENUE_FIELDS
from track2.disclosure.attribution import modes_help
from track2.disclosure.site import k_floor
from track2.disclosure.threshold import K_MAXIMUM
from track2.people.models import Sector
from track2.site.forms import InputRules, declared_form


class DialogueForm(InputRules, forms.ModelForm):
    required_sectors = forms.MultipleChoiceField(
        label=_("Sectors every side should include"),
        choices=Sector.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Dialogue
        fields = list(DIALOGUE_FIELDS)
        help_texts = {
            "track": _(
                "Track 2: unofficial people only (serving officials are refused). "
                "Track 1.5: officials may take part, in a personal capacity."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        floor = k_floor()
        k = self.fields["k_anonymity"]
        k.widget.attrs.update({"min": floor, "max": K_MAXIMUM})
        k.min_value, k.max_value = floor, K_MAXIMUM
        k.help_text = _(
            "k: a breakdown by delegation or opinion group shows a cell only when it counts at least "
            "k people (or none), so that small numbers do not identify anyone; hidden cells cannot be "
            "worked out from totals. This site's floor is %(floor)d."
        ) % {"floor": floor}
        self.fields["default_attribution_mode"].help_text = _(modes_help())


class DialogueCreateForm(DialogueForm):
    """A new dialogue names the institution that convenes it (one of the creator's: the choices
    are a convenience; do_create_dialogue checks the right again). It never changes afterwards."""

    institution = forms.ModelChoiceField(
        label=_("Convening institution"),
        queryset=None,
        empty_label=None,
        help_text=_(
            "The dialogue's people directory is this institution's, shared with its other conveners."
        ),
    )

    field_order = ["title", "purpose", "institution"]

    def __init__(self, *args, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        self.order_fields(self.field_order)


class PartyForm(
    InputRules,
    declared_form(
        PARTY,
        name=forms.CharField(label=_("Party (side in tension)"), max_length=200),
        country=forms.CharField(
            label=_("Country"),
            max_length=100,
            required=False,
            help_text=_("Used to warn when a venue is in a party's country."),
        ),
    ),
):
    with_delegation = forms.BooleanField(
        label=_("Create its delegation too"), required=False, initial=True
    )


class DelegationForm(
    InputRules,
    declared_form(
        DELEGATION,
        kind=forms.ChoiceField(label=_("Kind"), choices=Delegation.Kind.choices),
        party=forms.ModelChoiceField(
            label=_("Party"),
            queryset=Party.objects.none(),  # the dialogue's parties: see __init__
            required=False,
            help_text=_("Sides come from a party; leave empty for the facilitation team."),
        ),
    ),
):
    """The fields of DELEGATION (the name as the model has it)."""

    def __init__(self, *args, dialogue: Dialogue, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = dialogue.parties.all()


class DelegationEditForm(DelegationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["kind"]


class SeatForm(InputRules, forms.Form):
    person = forms.ModelChoiceField(
        label=_("Person"),
        queryset=None,
        help_text=_("Candidates of this dialogue who are not yet in a delegation."),
    )

    def __init__(self, *args, persons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = persons


class RoleForm(InputRules, forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_(
            "The role is offered by e-mail; it is given when the person, signed in with "
            "this address, accepts it."
        ),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class VenueForm(InputRules, forms.ModelForm):
    class Meta:
        model = Venue
        fields = list(VENUE_FIELDS)
        help_texts = {
            "address": _(
                "For a private home or a confidential venue, shown only to conveners and to people "
                "confirmed for a meeting there."
            ),
            "capacity": _("Leave empty for no limit (e.g. a virtual room)."),
        }
