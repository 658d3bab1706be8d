"""The IANA time-zone names, read once per process.

`zoneinfo.available_timezones()` walks the tz database on disk each time it is called (about
8 ms); calling it per meeting made a list of meetings collapse under load. The database does
not change while a process runs, so every validator, form and query asks here instead.
"""

from __future__ import annotations

import functools
import zoneinfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

EXAMPLE = "Europe/Vienna"


@functools.cache
def time_zone_names() -> tuple[str, ...]:
    """Every known zone name, sorted, for lists people choose from."""
    return tuple(sorted(zoneinfo.available_timezones()))


@functools.cache
def _known() -> frozenset[str]:
    return frozenset(time_zone_names())


@functools.cache
def _datalist_options() -> str:
    # ~600 <option>s: built once per process, not through the template engine on every form.
    # Each name is escaped by format_html, so the joined options are safe.
    options = "".join(format_html('<option value="{}">', zone) for zone in time_zone_names())
    return mark_safe(options)  # noqa: S308  (escaped above)


def is_time_zone(name: object) -> bool:
    return isinstance(name, str) and name in _known()


def validate_time_zone(value: str) -> None:
    if not is_time_zone(value):
        raise ValidationError(
            _(
                "“%(value)s” is not a known time zone; choose one from the list, e.g. Europe/Vienna, "
                "Asia/Singapore or UTC."
            ),
            params={"value": value},
            code="unknown_time_zone",
        )


class TimeZoneInput(forms.TextInput):
    """A text box with the zone names as a <datalist>: browsers filter the list as one types,
    and it needs no script (the CSP allows only our own files)."""

    template_name = "site/widgets/time_zone.html"

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        list_id = f"{context['widget']['attrs'].get('id') or name}-choices"
        context["widget"]["attrs"]["list"] = list_id
        context["widget"]["list_id"] = list_id
        context["widget"]["options"] = _datalist_options()
        return context


class TimeZoneField(forms.CharField):
    """One searchable time-zone field for every form that asks for a zone."""

    widget = TimeZoneInput
    default_validators = [validate_time_zone]

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault(
            "help_text",
            _("Type to search, e.g. Vienna or Singapore; pick an IANA name such as Europe/Vienna."),
        )
        super().__init__(**kwargs)
