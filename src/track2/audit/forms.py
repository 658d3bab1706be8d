"""The filter of the Changes page: what a reader may narrow the trail to."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from track2.audit.queries import OBJECT_TYPES
from track2.site.forms import InputRules

MAX_ID = 2**63 - 1


class ChangesFilterForm(InputRules, forms.Form):
    object_type = forms.ChoiceField(
        label=_("Kind of object"),
        required=False,
        choices=[("", _("any"))] + [(k, v) for k, v in OBJECT_TYPES.items()],
    )
    object_id = forms.IntegerField(
        label=_("Object number"),
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text=_("with a kind: that object and what belongs to it"),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("object_id") is not None and not cleaned.get("object_type"):
            self.add_error("object_type", _("Choose the kind of object the number belongs to."))
        return cleaned
