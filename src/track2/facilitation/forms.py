"""The floor's, the caucus's and the record's typed entries, as the page sent them: when an
action refuses one, the page comes back with what was typed and each problem at its field
(site/forms.py `add_refusal`). The forms judge nothing: every rule is the actions' (actions.py,
caucus.py, record.py), in the words the API gives too."""

from __future__ import annotations

from django import forms


def _as_typed() -> forms.Field:
    # A plain Field, not a CharField: no rule of its own (a CharField refuses NUL in Django's
    # words before the action could name every problem) and no stripping: shown again as typed.
    return forms.Field(required=False)


class TextForm(forms.Form):
    """A caucus note or statement (new, or a held one revised), a comment on the record."""

    text = _as_typed()


class PollForm(forms.Form):
    question = _as_typed()
    options = _as_typed()


class RecordNoteForm(forms.Form):
    text = _as_typed()
    item_id = _as_typed()
    # Every statement ticked (the page offers the room's accepted statements), as a list: a
    # widget reading every value sent under the name. It is never drawn (the page draws boxes).
    cites = forms.Field(required=False, widget=forms.MultipleHiddenInput)


class TurnLimitForm(forms.Form):
    seconds = _as_typed()


class CaucusBreakForm(forms.Form):
    minutes = _as_typed()
