"""Forms for meetings, agendas and participants: they parse what people type; the rules are in
`track2.meetings.actions` (a refusal lands on a field)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from track2.access.meetings import LEAD_NOT_SEATED
from track2.dialogues.models import AttributionMode
from track2.dialogues.queries import neutrality_warning
from track2.disclosure.attribution import modes_help
from track2.meetings.actions import AGENDA_ITEM, MEETING
from track2.meetings.models import MeetingParticipant
from track2.site.forms import InputRules, declared_form
from track2.time_zones import TimeZoneField


def venue_label(dialogue, venue, parties=None) -> str:
    place = (
        ", ".join(part for part in (venue.city, venue.country) if part) or venue.get_kind_display()
    )
    label = f"{venue.name} ({place})"
    if neutrality_warning(dialogue, venue, parties):
        label += " — " + str(_("in a party's country"))
    return label


class MeetingForm(
    InputRules,
    declared_form(
        MEETING,
        time_zone=TimeZoneField(
            label=_("Time zone"),
            help_text=_(
                "Type to search, e.g. Vienna; an IANA name such as Europe/Vienna. Start and end "
                "are wall-clock times in this zone."
            ),
        ),
        # datetime-local inputs only accept "YYYY-MM-DDTHH:MM" as their value.
        starts_at=forms.DateTimeField(
            label=_("Starts"),
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        ),
        ends_at=forms.DateTimeField(
            label=_("Ends"),
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        ),
        attribution_mode=forms.ChoiceField(
            label=_("Attribution mode"), choices=AttributionMode.choices, help_text=modes_help()
        ),
    ),
):
    """The fields of MEETING (title and venue as the model has them)."""

    field_order = ["title", "venue", "time_zone", "starts_at", "ends_at", "attribution_mode"]

    def __init__(self, *args, venues, dialogue=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["venue"].queryset = venues
        # The parties are read once for every venue's label and warning.
        self.parties = list(dialogue.parties.all()) if dialogue is not None else []
        if dialogue is not None:
            self.fields["venue"].label_from_instance = lambda venue: venue_label(
                dialogue, venue, self.parties
            )

    def clean_starts_at(self):
        return _naive(self.cleaned_data["starts_at"])

    def clean_ends_at(self):
        return _naive(self.cleaned_data["ends_at"])


def _naive(value):
    # Django makes form datetimes aware in the active zone; the meeting's own zone decides.
    return value.replace(tzinfo=None) if value is not None else None


class AgendaItemForm(
    InputRules,
    declared_form(
        AGENDA_ITEM,
        duration_minutes=forms.IntegerField(label=_("Minutes"), min_value=1, max_value=24 * 60),
        description=forms.CharField(
            label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
        ),
    ),
):
    """The fields of AGENDA_ITEM (title and lead as the model has them)."""

    field_order = ["title", "duration_minutes", "lead", "description"]

    def __init__(self, *args, persons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = persons
        # The same words as the API's for a lead who is not (or no longer) seated.
        self.fields["lead"].error_messages["invalid_choice"] = LEAD_NOT_SEATED


class ParticipantsForm(InputRules, forms.Form):
    persons = forms.ModelMultipleChoiceField(
        label=_("Delegation members"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    status = forms.ChoiceField(
        label=_("Add as"),
        choices=[
            (MeetingParticipant.Status.INVITED, _("invited")),
            (MeetingParticipant.Status.CONFIRMED, _("confirmed")),
        ],
    )
    notify = forms.BooleanField(
        label=_("E-mail each person the meeting and its calendar file"),
        required=False,
        initial=True,
        help_text=_(
            "Untick to tell them another way (a private-home address is never put in an e-mail)."
        ),
    )

    def __init__(self, *args, persons, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["persons"].queryset = persons


class ParticipantStatusForm(InputRules, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=MeetingParticipant.Status.choices)
