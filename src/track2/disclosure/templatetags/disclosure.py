"""Pages render the disclosure rules through these tags, never by testing fields themselves."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from track2.disclosure.attribution import mode_help
from track2.disclosure.capacity import PERSONAL_CAPACITY_LABEL
from track2.disclosure.site import capacity_label_of
from track2.disclosure.status import STATUS_LINE

register = template.Library()


@register.simple_tag
def status_line() -> str:
    return _(STATUS_LINE)


@register.inclusion_tag("disclosure/status_line.html")
def status_banner() -> dict:
    return {"status_line": _(STATUS_LINE)}


@register.inclusion_tag("disclosure/capacity_label.html")
def personal_capacity(person, dialogue) -> dict:
    """The label beside a person's name, or nothing."""
    label = capacity_label_of(person, dialogue)
    return {"label": _(label) if label else ""}


@register.inclusion_tag("disclosure/capacity_label.html")
def capacity_flag(flagged: bool) -> dict:
    """The same label, for a row already decided by the rule (a roster import preview)."""
    return {"label": _(PERSONAL_CAPACITY_LABEL) if flagged else ""}


@register.simple_tag
def attribution_help(mode: str) -> str:
    return _(mode_help(mode))
