"""Form helpers shared by every app's pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms

from track2.errors import ActionRefused


def add_refusal(form: forms.Form, refusal: ActionRefused) -> None:
    """Show each of an action's refusals on its field when the form has that field, else above
    the form. A field the form already marked keeps its own message (no second one about it)."""
    for name, message in refusal.problems:
        field = name if name in form.fields else None
        if field is not None and field in form.errors:
            continue
        form.add_error(field, message)


NOT_DONE = object()


def submit(form: forms.Form, act: Callable[[dict], Any], check: Callable[[dict], None] | None = None) -> Any:
    """Validate a posted form and the action's own rules together, so that every error shows at
    once (not one round at a time); act only when there is none. Returns what `act` returned,
    or NOT_DONE with the errors on the form."""
    form.is_valid()
    if check is not None:
        try:
            check(form.cleaned_data)
        except ActionRefused as refusal:
            add_refusal(form, refusal)
    if form.errors:
        return NOT_DONE
    try:
        return act(form.cleaned_data)
    except ActionRefused as refusal:
        add_refusal(form, refusal)
        return NOT_DONE
