"""The API's In and Patch schemas of a model, built from its one declaration of editable fields
(`track2.editable.Editable`) and the model's own types, limits and defaults — so a field added to
a declaration reaches the form, the API and the action together, with the same length limit."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field, ValidationError, WrapValidator, create_model

from track2.api.fields import Code, Id, Line, Moment, Notes
from track2.editable import Editable

REQUIRED: Any = ...


def api_type(field: models.Field) -> Any:
    """The API input type of a model field (the limits are the model's)."""
    if isinstance(field, models.ForeignKey):
        return Id
    if field.choices:
        return Code  # the action names the valid codes
    if isinstance(field, models.CharField):  # EmailField included
        return Line(field.max_length or 200)
    if isinstance(field, models.TextField):
        return Notes
    if isinstance(field, models.BooleanField):
        return bool
    if isinstance(field, models.IntegerField):  # every size, signed or positive
        return integer_type(field)
    if isinstance(field, models.DecimalField):
        return decimal_type(field)
    if isinstance(field, models.DateTimeField):
        return Moment
    raise TypeError(f"no API type for {field!r}: give one in `types`")


def _static_limits(field: models.Field, low, high, kind):
    """`low`/`high` narrowed by the field's Min/MaxValueValidators: the bounds the OpenAPI
    document can state. A limit computed per call (from a setting, as k's floor) is not one."""
    for v in field.validators:
        if isinstance(v, MinValueValidator) and not callable(v.limit_value):
            low = max(low, kind(v.limit_value))
        elif isinstance(v, MaxValueValidator) and not callable(v.limit_value):
            high = min(high, kind(v.limit_value))
    return low, high


def integer_type(field: models.IntegerField) -> Any:
    """A whole number within the model field's range: its validators' and the column's own
    (a PositiveSmallIntegerField holds 0 … 32,767), checked by the schema with the other fields,
    and refused with one message in decimal_type's shape (a float, a string, 2^63 or 1e400 alike).

    The column's range is the one every database holds (Django's portable table): SQLite would
    store up to 2^63 − 1 where PostgreSQL refuses past 32,767, and the API says the same on both."""
    column_low, column_high = BaseDatabaseOperations.integer_field_ranges[field.get_internal_type()]
    low, high = _static_limits(field, column_low, column_high, int)

    def refuse_with_one_message(value, check):
        try:
            number = check(value)
        except ValidationError:
            raise ValueError(
                _("%(field)s: enter a whole number from %(low)s to %(high)s.")
                % {"field": field.name, "low": low, "high": high}
            ) from None
        # A limit computed per call (k's floor, from a setting) is not in the OpenAPI document,
        # but is checked here too, so that it is listed with the other fields' problems.
        try:
            field.run_validators(number)
        except DjangoValidationError as error:
            raise ValueError(f"{field.name}: {' '.join(error.messages)}") from None
        return number

    return Annotated[int, Field(ge=low, le=high), WrapValidator(refuse_with_one_message)]


def decimal_type(field: models.DecimalField) -> Any:
    """A decimal within the model field's range and precision, checked by the schema with the
    other fields (docs/decisions.md: range is the schema's) and refused with one message that
    names the field and the range, as the page's form says it (site/forms.py): pydantic's own
    would name only the rule that failed first ("no more than 4 digits in total")."""
    places = field.decimal_places or 0
    step = Decimal(10) ** -places
    largest = Decimal(10) ** ((field.max_digits or 0) - places) - step
    low, high = _static_limits(field, -largest, largest, Decimal)

    def refuse_with_one_message(value, check):
        try:
            return check(value)
        except ValidationError:
            raise ValueError(
                _(
                    "%(field)s: enter a number from %(low)s to %(high)s, with at most %(places)s decimal places."
                )
                % {
                    "field": field.name,
                    "low": low.quantize(step),
                    "high": high.quantize(step),
                    "places": places,
                }
            ) from None

    return Annotated[
        Decimal,
        Field(ge=low, le=high, max_digits=field.max_digits, decimal_places=places),
        WrapValidator(refuse_with_one_message),
    ]


def _api_name(editable: Editable, name: str) -> str:
    return f"{name}_id" if editable.is_reference(name) else name


def _in_default(field: models.Field) -> Any:
    if field.null:
        return None
    if field.has_default():
        return field.get_default()
    if field.blank:
        return ""
    return REQUIRED


def schemas(
    editable: Editable | tuple[Editable, ...],
    name: str,
    *,
    required: tuple[str, ...] = (),
    defaults: dict[str, Any] | None = None,
    types: dict[str, Any] | None = None,
    patch_names: tuple[str, ...] | None = None,
    extra_in: dict[str, tuple[Any, Any]] | None = None,
    extra_patch: dict[str, tuple[Any, Any]] | None = None,
) -> tuple[type[Schema], type[Schema]]:
    """`<name>In` (what creating takes, with the model's defaults) and `<name>Patch` (every field
    optional: only those sent change). `required`: fields the API insists on although the model
    has a default; `defaults`: API defaults that differ from the model's (None: "the action
    decides"); `patch_names`: the fields that may change after creation, when fewer. Several
    declarations (a tuple) give one schema with the fields of each, in order: what one request
    sets on two models (a person and their candidacy)."""
    defaults, types = defaults or {}, types or {}
    created: dict[str, Any] = {}
    patched: dict[str, Any] = {}
    declared = [
        (each, field_name)
        for each in (editable if isinstance(editable, tuple) else (editable,))
        for field_name in each.names
    ]
    for each, field_name in declared:
        field = each.field(field_name)
        kind = types.get(field_name) or api_type(field)
        key = _api_name(each, field_name)
        if key in created:
            raise TypeError(f"{key} is declared twice in {name}")
        if field_name in required:
            default = REQUIRED
        elif field_name in defaults:
            default = defaults[field_name]
        else:
            default = _in_default(field)
        created[key] = (kind | None if default is None else kind, default)
        if patch_names is None or field_name in patch_names:
            patched[key] = (kind | None, None)
    created.update(extra_in or {})
    patched.update(extra_patch or {})
    return (
        create_model(f"{name}In", __base__=Schema, **created),
        create_model(f"{name}Patch", __base__=Schema, **patched),
    )
