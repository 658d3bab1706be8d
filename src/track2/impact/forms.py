"""Forms of the impact pages; every rule is the actions' (site/forms.py `submit`)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from track2.deliberation.plain_text import PlainTextForm
from track2.impact.instruments import LIKERT, TRUST_ITEMS
from track2.impact.models import Reaction, Recommendation, Relay, Survey

DATE = forms.DateInput(attrs={"type": "date"})


class RecommendationForm(PlainTextForm):
    """Written or corrected (the same fields). The paragraph is chosen from the documents'
    paragraphs (`sources`, queries.paragraph_choices), sent as "document id:paragraph key" in
    the field the action names in its refusals (paragraph_key), and handed to the action as its
    document_id and paragraph_key."""

    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(
        label=_("Recommendation"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
        required=False, help_text=_("Leave empty to take the words of the document's paragraph."),
    )  # fmt: skip
    target_kind = forms.ChoiceField(label=_("Target"), choices=Recommendation.Target.choices)
    target_institution = forms.CharField(label=_("Target institution"), max_length=200)
    owner_id = forms.ChoiceField(label=_("Policy carrier"), required=False)
    priority = forms.ChoiceField(label=_("Priority"), choices=Recommendation.Priority.choices,
                                 initial="medium")  # fmt: skip
    recommended_on = forms.DateField(label=_("Recommended on (empty: today)"), required=False,
                                     widget=DATE)  # fmt: skip
    due_on = forms.DateField(label=_("Due date"), required=False, widget=DATE,
                             help_text=_("On or after the day it was recommended."))  # fmt: skip
    paragraph_key = forms.ChoiceField(label=_("Drawn from a paragraph of an outcome document"),
                                      required=False)  # fmt: skip

    def __init__(self, *args, carriers=(), sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_id"].choices = [("", "—"), *carriers]
        self.fields["paragraph_key"].choices = [("", _("none: written directly")), *sources]

    def clean(self):
        data = super().clean()
        if "paragraph_key" in data:  # chosen from the list (else refused by the form already)
            document_id, _sep, key = data["paragraph_key"].partition(":")
            data["document_id"], data["paragraph_key"] = document_id, key
        return data


class RelayForm(PlainTextForm):
    briefed = forms.CharField(label=_("Official or institution briefed"), max_length=200)
    # Every choice is offered: whether a liaison may take a wider one is the action's rule.
    sensitivity = forms.ChoiceField(label=_("Who may read who was briefed"), required=False,
                                    choices=[("", _("as the conveners chose")),
                                             *Relay.Sensitivity.choices])  # fmt: skip
    channel = forms.ChoiceField(label=_("Channel"), choices=Relay.Channel.choices)
    relayed_on = forms.DateField(label=_("Relayed on"), widget=DATE)
    version_number = forms.IntegerField(label=_("Document version"), required=False,
                                        min_value=1, max_value=2_147_483_647)  # fmt: skip


class ReactionForm(PlainTextForm):
    status = forms.ChoiceField(label=_("Reaction"), choices=Reaction.Status.choices)
    reacted_on = forms.DateField(label=_("On"), widget=DATE)
    evidence_text = forms.CharField(
        label=_("Evidence: the words adopted (quoted)"), widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000, required=False,
    )  # fmt: skip
    evidence_url = forms.CharField(label=_("Evidence: link"), max_length=500, required=False)


class NotificationForm(PlainTextForm):
    informed = forms.CharField(label=_("Government or official informed"), max_length=200)
    informed_on = forms.DateField(label=_("Informed on"), widget=DATE)
    informed_by = forms.CharField(label=_("Informed by"), max_length=200)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class DisclosureForm(PlainTextForm):
    is_public = forms.BooleanField(label=_("Publish a public page saying the dialogue exists"),
                                   required=False)  # fmt: skip
    shows_institution = forms.BooleanField(label=_("Show the convening institution"),
                                           required=False)  # fmt: skip
    shows_parties = forms.BooleanField(label=_("Show the parties"), required=False)
    public_theme = forms.CharField(label=_("Theme (as published)"), max_length=200, required=False)
    observers_see_recommendations = forms.BooleanField(
        label=_("Observers read recommendations, relays and reactions"), required=False
    )
    observers_see_evaluation = forms.BooleanField(label=_("Observers read the evaluation"),
                                                  required=False)  # fmt: skip


class RelaySensitivityForm(PlainTextForm):
    relay_sensitivity = forms.ChoiceField(
        label=_("Who may read who was briefed"), choices=Relay.Sensitivity.choices,
        widget=forms.RadioSelect,
        help_text=_("Relays recorded by liaisons take this choice (or a stricter one); conveners "
                    "may still choose for each relay. A stricter choice applies at once to the "
                    "relays already recorded, a wider one only to relays recorded from now on."),
    )  # fmt: skip


class SurveyForm(PlainTextForm):
    round_number = forms.IntegerField(label=_("Round"), min_value=1, max_value=100)
    phase = forms.ChoiceField(label=_("When"), choices=Survey.Phase.choices)
    meeting_id = forms.ChoiceField(label=_("Meeting"), required=False)

    def __init__(self, *args, meetings=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting_id"].choices = [("", "—"), *meetings]


def answer_form(other_sides) -> type[forms.Form]:
    """The survey form for a respondent: one thermometer per other side, the trust items, the
    escalation question and free text (the same questions, in the same order, every time)."""
    fields: dict[str, forms.Field] = {}
    for side in other_sides:
        fields[f"thermometer_{side.pk}"] = forms.IntegerField(
            label=_feeling_toward(side.name),
            min_value=0, max_value=100, widget=forms.NumberInput(attrs={"min": 0, "max": 100}),
        )  # fmt: skip
    for code, wording in TRUST_ITEMS.items():
        fields[f"trust_{code}"] = forms.TypedChoiceField(
            label=wording, choices=[(str(v), f"{v} {w}") for v, w in LIKERT.items()],
            coerce=int, widget=forms.RadioSelect,
        )  # fmt: skip
    fields["escalation"] = forms.IntegerField(
        label=_("Likelihood of a serious incident in the next twelve months (0–100 %)"),
        min_value=0, max_value=100,
    )  # fmt: skip
    fields["free_text"] = forms.CharField(
        # Who reads it: track2.access.impact.access_survey_comments (docs/impact.md, Comments).
        label=_(
            "Anything else (optional). Read by this dialogue's facilitators and conveners only, "
            "without your name or delegation, once the survey is closed and if enough people "
            "wrote one; never quoted in a report."
        ),
        widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False,
    )  # fmt: skip
    return type("AnswerForm", (PlainTextForm,), fields)


def _feeling_toward(side: str):
    # A side is often named as its delegation ("Federation of Ostrava delegation"): the word is
    # then not added again.
    if "delegation" in (word.casefold() for word in side.split()):
        return _("Your feeling toward the %(side)s (0–100)") % {"side": side}
    return _("Your feeling toward the %(side)s delegation (0–100)") % {"side": side}
