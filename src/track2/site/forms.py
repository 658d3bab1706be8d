"""Form helpers shared by every app's pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError

from track2 import validation
from track2.errors import ActionRefused


def add_refusal(form: forms.Form, refusal: ActionRefused) -> None:
    """Show each of an action's refusals on its field when the form has that field, else above
    the form. A field the form already marked keeps its own message (no second one about it);
    several problems of the refusal on one field are all shown."""
    marked = set(form.errors)
    for name, message in refusal.problems:
        field = name if name in form.fields else None
        if field is not None and field in marked:
            continue
        form.add_error(field, message)


def _text_rules(multiline: bool):
    def admissible(value: str) -> None:
        problem = validation.text_problem(value, multiline=multiline)
        if problem:
            raise ValidationError(problem, code="inadmissible_text")

    return admissible


def _bounded_choice(field: forms.ModelChoiceField):
    """A choice of objects by id: a number no id column holds is an invalid choice, not a
    database error (Django checks each value of a multiple choice with a query)."""
    clean = field.clean

    def admissible(value):
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            text = str(item).strip() if item is not None else ""
            if text.lstrip("-").isdigit() and validation.integer_problem(int(text), is_id=True):
                raise ValidationError(
                    field.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": text[:24]},
                )
        return clean(value)

    return admissible


class InputRules:
    """Every field of the form follows track2.validation, the rules the API's schemas and the
    roster importer follow: text is one line unless its widget is a text area, and a choice of
    objects by id never sends the database a number it cannot hold."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) and not isinstance(
                field.widget, forms.PasswordInput
            ):
                field.validators.append(_text_rules(isinstance(field.widget, forms.Textarea)))
            elif isinstance(field, forms.ModelChoiceField) and field.to_field_name is None:
                field.clean = _bounded_choice(field)


def declared_form(editable, **own: forms.Field) -> type[forms.Form]:
    """A form class with the fields of a model's one declaration (track2.editable), in its order:
    each is the model's own form field (label, length limit, required or not, choices) unless
    the form gives its own in `own` (a widget, a help text, a range)."""
    unknown = set(own) - set(editable.names)
    if unknown:
        raise TypeError(f"not in the declaration: {sorted(unknown)}")
    fields = {name: own.get(name) or editable.field(name).formfield() for name in editable.names}
    return type(forms.Form)(f"{editable.model.__name__}Fields", (forms.Form,), fields)


NOT_DONE = object()


def submit(
    form: forms.Form, act: Callable[[dict], Any], check: Callable[[dict], None] | None = None
) -> Any:
    """Validate a posted form and the action's own rules together, so that every error shows at
    once (not one round at a time); act only when there is none. Returns what `act` returned,
    or NOT_DONE with the errors on the form."""
    if not form.is_bound:
        # A POST with no fields at all (`request.POST or None` gave None) is a form sent empty:
        # check it as one, so that every required field is marked and nothing acts on no data.
        form.is_bound, form._errors = True, None
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


def act_and_tell(
    request, action: Callable[[], Any], done: str | Callable[[Any], str] | None = None
) -> Any:
    """A page's button (delete, archive, move, answer…): run the action and tell the user what
    was done (`done`, a message or a function of the result), or every reason it was refused,
    on the next page. Returns what the action returned, or NOT_DONE."""
    try:
        result = action()
    except ActionRefused as refusal:
        for _field, message in refusal.problems:
            messages.error(request, message)
        return NOT_DONE
    if done is not None:
        messages.success(request, done(result) if callable(done) else done)
    return result
