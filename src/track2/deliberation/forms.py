"""The room's page forms. Rules live in the actions; these only read what was typed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from track2.deliberation.models import REASON_MAX, STATEMENT_MAX, Room
from track2.site.forms import InputRules


class StatementForm(InputRules, forms.Form):
    # The action counts characters after folding spaces; the field admits a little more so the
    # action's clearer message is the one shown.
    text = forms.CharField(
        label=_("Your statement"),
        max_length=STATEMENT_MAX * 2,
        help_text=_("One short idea, at most %(max)d characters. Nobody sees who wrote it.")
        % {"max": STATEMENT_MAX},
    )
    to_facilitator = forms.BooleanField(
        label=_("Send it to the facilitators only (not shown to the room)"), required=False
    )


class ModerationForm(InputRules, forms.Form):
    decision = forms.ChoiceField(
        choices=[
            ("accept", _("accept")),
            ("reject", _("reject")),
            ("fix", _("fix a typo")),
            ("merge", _("merge into…")),
        ]
    )
    reason = forms.CharField(
        label=_("Reason (the submitter reads it)"), max_length=REASON_MAX, required=False
    )
    text = forms.CharField(label=_("Corrected text"), max_length=STATEMENT_MAX * 2, required=False)
    into = forms.IntegerField(label=_("Duplicate of statement"), required=False, min_value=1)


class RoomSettingsForm(InputRules, forms.Form):
    moderation = forms.ChoiceField(label=_("Moderation"), choices=Room.Moderation.choices)
    results = forms.ChoiceField(label=_("The room sees results"), choices=Room.Results.choices)
    order = forms.ChoiceField(label=_("Next statement offered"), choices=Room.Order.choices)


class DestroyKeyForm(InputRules, forms.Form):
    confirmation = forms.CharField(label=_("Type the dialogue's title to confirm"), max_length=400)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Pol.is export (.zip of comments.csv and votes.csv or participants-votes.csv)")
    )
