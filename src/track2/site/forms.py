"""Form helpers shared by every app's pages."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext as _

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


_INTEGER = re.compile(r"-?[0-9]+")


def _bounded_choice(field: forms.ModelChoiceField):
    """A choice of objects by id: a number no id column holds is an invalid choice, not a
    database error (Django checks each value of a multiple choice with a query)."""
    clean = field.clean

    def admissible(value):
        values = value if isinstance(value, (list, tuple)) else [value]
        for item in values:
            text = str(item).strip() if item is not None else ""
            # An ASCII integer only: "²" is a digit to str.isdigit() and not to int(), nor is
            # "--5"; Django's own lookup refuses those as invalid choices.
            if _INTEGER.fullmatch(text) and validation.integer_problem(int(text), is_id=True):
                raise ValidationError(
                    field.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": text[:24]},
                )
        return clean(value)

    return admissible


def _range(field: forms.IntegerField, model_validators: list) -> tuple:
    """The field's smallest and largest admissible number (None: no bound), from its own bounds,
    its and its model field's validators and, for a decimal, the digits its column holds."""
    low, high = field.min_value, field.max_value
    for validator in [*field.validators, *model_validators]:
        if isinstance(validator, MinValueValidator) and not callable(validator.limit_value):
            low = validator.limit_value if low is None else max(low, validator.limit_value)
        if isinstance(validator, MaxValueValidator) and not callable(validator.limit_value):
            high = validator.limit_value if high is None else min(high, validator.limit_value)
    if isinstance(field, forms.DecimalField) and field.max_digits is not None and high is None:
        places = field.decimal_places or 0
        high = Decimal(10) ** (field.max_digits - places) - Decimal(10) ** -places
    return low, high


def _number_rules(field: forms.IntegerField, model_validators: list) -> None:
    """One message for every way a number can be wrong (not a number, too large, too many
    digits), naming the range, instead of Django's several ("no more than 4 digits in total")."""
    low, high = _range(field, model_validators)
    if low is not None and high is not None:
        message = _("Enter a number from %(low)s to %(high)s") % {"low": low, "high": high}
    elif low is not None:
        message = _("Enter a number of at least %(low)s") % {"low": low}
    elif high is not None:
        message = _("Enter a number of at most %(high)s") % {"high": high}
    else:
        message = _("Enter a number")
    if isinstance(field, forms.DecimalField) and field.decimal_places is not None:
        message += _(", with at most %(places)s decimal places") % {"places": field.decimal_places}
    elif not isinstance(field, forms.FloatField):
        message += _(" (a whole number)")
    message = (message + ".").replace("%", "%%")  # Django formats it with the validator's params
    for code in ("invalid", "min_value", "max_value", "max_digits", "max_whole_digits"):
        field.error_messages[code] = message
    field.error_messages["max_decimal_places"] = message


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

    def full_clean(self):
        # Numbers here, not in __init__: a form's own __init__ may set a field's range after ours.
        model = getattr(getattr(self, "_meta", None), "model", None)
        for name, field in self.fields.items():
            if isinstance(field, forms.IntegerField):  # DecimalField and FloatField too
                _number_rules(field, _model_validators(model, name))
        super().full_clean()


def _model_validators(model, name: str) -> list:
    """A model form's field is also checked by its model field's validators (the range of its
    column among them), whose messages Django replaces with the form field's of the same code."""
    if model is None:
        return []
    try:
        return list(model._meta.get_field(name).validators)
    except FieldDoesNotExist:
        return []


def declared_form(editable, **own: forms.Field) -> type[forms.Form]:
    """A form class with the fields of a model's one declaration (track2.editable), in its order:
    each is the model's own form field (label, length limit, required or not, choices) unless
    the form gives its own in `own` (a widget, a help text, a range)."""
    unknown = set(own) - set(editable.names)
    if unknown:
        raise TypeError(f"not in the declaration: {sorted(unknown)}")
    fields = {name: own.get(name) or _form_field(editable.field(name)) for name in editable.names}
    return type(forms.Form)(f"{editable.model.__name__}Fields", (forms.Form,), fields)


def _form_field(model_field) -> forms.Field:
    """The model field's form field, with the model's range checked on the form too: a number
    out of range is then marked with every other problem, and named with its range."""
    field = model_field.formfield()
    if isinstance(field, forms.IntegerField):
        field.validators += [
            v
            for v in model_field.validators
            if isinstance(v, (MinValueValidator, MaxValueValidator))
        ]
    return field


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
