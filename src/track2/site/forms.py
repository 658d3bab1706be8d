"""Form helpers shared by every app's pages."""

from django import forms

from track2.errors import ActionRefused


def add_refusal(form: forms.Form, refusal: ActionRefused) -> None:
    """Show an action's refusal on its field when the form has that field, else above the form."""
    field = refusal.field if refusal.field in form.fields else None
    form.add_error(field, refusal.message)
