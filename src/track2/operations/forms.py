from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from track2.operations.dialogue_deletion import MAX_TYPED_TITLE
from track2.operations.models import RetentionPolicy
from track2.site.forms import InputRules


class RetentionForm(InputRules, forms.Form):
    # The limits (0 to MAX_RETENTION_DAYS days, known choices) are the action's, for every caller.
    on_meeting_close = forms.ChoiceField(
        label=_("When a meeting closes"),
        choices=RetentionPolicy.OnClose.choices,
        widget=forms.RadioSelect,
    )
    delete_content_after_days = forms.IntegerField(
        label=_("Delete the content this many days after the dialogue closes"),
        help_text=_("Leave empty to keep the content. 0 deletes it at the next housekeeping."),
        required=False,
    )
    destroy_key_on_close = forms.BooleanField(
        label=_("Destroy the dialogue's pseudonym key when it closes (two conveners confirm)"),
        required=False,
    )


class DeletionForm(InputRules, forms.Form):
    # The title's match, the state of the request and who may confirm are the action's rules.
    title = forms.CharField(
        label=_("Type the dialogue's title to confirm"),
        max_length=MAX_TYPED_TITLE,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
