"""The room's page forms. Rules live in the actions; these only read what was typed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from track2.deliberation.models import REASON_MAX, STATEMENT_MAX, Room
from track2.deliberation.plain_text import PlainTextForm

NAMES_CHECKED = _("I have checked: it names no one")


class StatementForm(PlainTextForm):
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


class _Moderation(PlainTextForm):
    """One statement's moderation form on the moderation page. `flagged`: the statement's text
    may name someone, so the form offers the confirmation the action asks for to publish it
    (a form sent back after a refusal always offers it)."""

    kind = ""  # which of the page's forms it is, sent back with it (views.moderate)

    names_checked = forms.BooleanField(label=NAMES_CHECKED, required=False)

    def __init__(self, *args, flagged: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not (flagged or self.is_bound):
            del self.fields["names_checked"]


class QueueForm(_Moderation):
    """A waiting statement: every decision."""

    kind = "queue"
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("accept", _("accept")),
            ("reject", _("reject")),
            ("fix", _("fix a typo")),
            ("merge", _("merge into…")),
        ],
    )
    reason = forms.CharField(
        label=_("Reason (the submitter reads it)"), max_length=REASON_MAX, required=False
    )
    text = forms.CharField(
        label=_("Corrected text (fix)"), max_length=STATEMENT_MAX * 2, required=False
    )
    into = forms.IntegerField(
        label=_("Duplicate of (merge)"), required=False, min_value=1, widget=forms.Select
    )

    def __init__(self, *args, accepted=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(["decision", "names_checked", "reason", "text", "into"])
        # Offered, not enforced: a merge target is checked by the action.
        self.fields["into"].widget.choices = [("", "—"), *accepted]


class FixForm(_Moderation):
    """A statement in the room: fix a typo."""

    kind = "fix"
    decision = forms.CharField(widget=forms.HiddenInput, initial="fix")
    text = forms.CharField(label=_("Fix a typo"), max_length=STATEMENT_MAX * 2, required=False)


class RemoveForm(_Moderation):
    """A statement in the room: remove it, with a reason."""

    kind = "remove"
    decision = forms.CharField(widget=forms.HiddenInput, initial="reject")
    reason = forms.CharField(
        label=_("Remove, with a reason"), max_length=REASON_MAX, required=False
    )


MODERATION_FORMS: dict[str, type[_Moderation]] = {
    form.kind: form for form in (QueueForm, FixForm, RemoveForm)
}


class OrderForm(PlainTextForm):
    order = forms.CharField(
        label=_("The facilitator's order: statement numbers, first to last (the rest follow)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("The numbers shown as # beside the statements below, separated by spaces."),
    )


class RoomSettingsForm(PlainTextForm):
    moderation = forms.ChoiceField(label=_("Moderation"), choices=Room.Moderation.choices)
    results = forms.ChoiceField(label=_("The room sees results"), choices=Room.Results.choices)
    order = forms.ChoiceField(label=_("Next statement offered"), choices=Room.Order.choices)


class DestroyKeyForm(PlainTextForm):
    confirmation = forms.CharField(label=_("Type the dialogue's title to confirm"), max_length=400)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Pol.is export (.zip of comments.csv and votes.csv or participants-votes.csv)")
    )
