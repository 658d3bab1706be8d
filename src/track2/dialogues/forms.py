"""Forms parse what people type; the rules are in actions (a refusal lands on a field)."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from track2.dialogues.models import (
    AttributionMode,
    Delegation,
    Dialogue,
    MeetingParticipant,
    Role,
    Venue,
)
from track2.people.models import Sector

ATTRIBUTION_HELP = _("Chatham House Rule: what is said may be used, but not who said it or who was there. "
                     "On the record: named. Off the record: only aggregates kept. Closed: members only.")


class DialogueForm(forms.ModelForm):
    required_sectors = forms.MultipleChoiceField(
        label=_("Sectors every side should include"), choices=Sector.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Dialogue
        fields = [
            "title", "purpose", "convening_institution", "track", "status",
            "is_attendance_confidential", "default_attribution_mode", "k_anonymity",
            "min_members_per_side", "max_side_ratio", "max_gender_share", "required_sectors",
        ]
        help_texts = {
            "track": _("Track 2: unofficial people only (serving officials are refused). "
                       "Track 1.5: officials may take part, in a personal capacity."),
            "default_attribution_mode": ATTRIBUTION_HELP,
            "k_anonymity": _("k: a breakdown by delegation or group is shown only where every cell counts at least "
                             "this many people, so that small numbers do not identify anyone."),
        }


class PartyForm(forms.Form):
    name = forms.CharField(label=_("Party (side in tension)"), max_length=200)
    country = forms.CharField(label=_("Country"), max_length=100, required=False,
                              help_text=_("Used to warn when a venue is in a party's country."))
    with_delegation = forms.BooleanField(label=_("Create its delegation too"), required=False, initial=True)


class DelegationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Delegation.Kind.choices)
    party = forms.ModelChoiceField(label=_("Party"), queryset=None, required=False,
                                   help_text=_("Sides come from a party; leave empty for the facilitation team."))

    def __init__(self, *args, dialogue: Dialogue, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = dialogue.parties.all()


class DelegationEditForm(DelegationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["kind"]


class SeatForm(forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=None,
                                    help_text=_("Candidates of this dialogue who are not yet in a delegation."))

    def __init__(self, *args, persons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = persons


class RoleForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Person with an account"), queryset=None,
                                  help_text=_("People who accepted an invitation or already hold a role."))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users


class VenueForm(forms.ModelForm):
    class Meta:
        model = Venue
        fields = ["name", "kind", "city", "country", "address", "is_confidential", "capacity", "accessibility_notes"]
        help_texts = {
            "address": _("For a private home or a confidential venue, shown only to conveners and to people "
                         "confirmed for a meeting there."),
            "capacity": _("Leave empty for no limit (e.g. a virtual room)."),
        }


def venue_label(dialogue, venue) -> str:
    from track2.dialogues.queries import neutrality_warning

    place = ", ".join(part for part in (venue.city, venue.country) if part) or venue.get_kind_display()
    label = f"{venue.name} ({place})"
    if neutrality_warning(dialogue, venue):
        label += " — " + str(_("in a party's country"))
    return label


def zone_choices() -> list[tuple[str, str]]:
    return [(z, z) for z in sorted(zoneinfo.available_timezones())]


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    venue = forms.ModelChoiceField(label=_("Venue"), queryset=None, required=False)
    time_zone = forms.CharField(
        label=_("Time zone"), max_length=64,
        help_text=_("IANA name, e.g. Europe/Vienna. Start and end are wall-clock times in this zone."),
        widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}),
    )
    # datetime-local inputs only accept "YYYY-MM-DDTHH:MM" as their value.
    starts_at = forms.DateTimeField(label=_("Starts"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    ends_at = forms.DateTimeField(label=_("Ends"), widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    attribution_mode = forms.ChoiceField(label=_("Attribution mode"), choices=AttributionMode.choices,
                                         help_text=ATTRIBUTION_HELP)

    def __init__(self, *args, venues, dialogue=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = venues
        if dialogue is not None:
            self.fields["venue"].label_from_instance = lambda venue: venue_label(dialogue, venue)

    def clean_starts_at(self):
        return _naive(self.cleaned_data["starts_at"])

    def clean_ends_at(self):
        return _naive(self.cleaned_data["ends_at"])


def _naive(value):
    # Django makes form datetimes aware in the active zone; the meeting's own zone decides.
    return value.replace(tzinfo=None) if value is not None else None


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    duration_minutes = forms.IntegerField(label=_("Minutes"), min_value=1, max_value=24 * 60)
    lead = forms.ModelChoiceField(label=_("Lead"), queryset=None, required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, persons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = persons


class ParticipantsForm(forms.Form):
    persons = forms.ModelMultipleChoiceField(label=_("Delegation members"), queryset=None,
                                             widget=forms.CheckboxSelectMultiple)
    status = forms.ChoiceField(label=_("Add as"), choices=[
        (MeetingParticipant.Status.INVITED, _("invited")), (MeetingParticipant.Status.CONFIRMED, _("confirmed"))])
    notify = forms.BooleanField(
        label=_("E-mail each person the meeting and its calendar file"), required=False, initial=True,
        help_text=_("Untick to tell them another way (a private-home address is never put in an e-mail)."))

    def __init__(self, *args, persons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["persons"].queryset = persons


class ParticipantStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=MeetingParticipant.Status.choices)
