"""Form helpers shared by every app's pages."""

from django import forms
from django.core.exceptions import ValidationError

from track2 import validation
from track2.errors import ActionRefused


def add_refusal(form: forms.Form, refusal: ActionRefused) -> None:
    """Show an action's refusal on its field when the form has that field, else above the form."""
    field = refusal.field if refusal.field in form.fields else None
    form.add_error(field, refusal.message)


def _text_rules(multiline: bool):
    def admissible(value: str) -> None:
        problem = validation.text_problem(value, multiline=multiline)
        if problem:
            raise ValidationError(problem, code="inadmissible_text")

    return admissible


class TextRules:
    """Every text field of the form follows track2.validation: one line unless its widget is a
    text area (the same rules as the API's schemas and the roster importer)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput):
                field.validators.append(_text_rules(isinstance(field.widget, forms.Textarea)))
