"""The floor's times as its running clocks show them (minutes:seconds), for the page's first
rendering: clock.js then counts on from the same figure in the same form."""

from __future__ import annotations

from django import template

from track2.facilitation.queries import clock as clock_text

register = template.Library()


@register.filter
def clock(seconds) -> str:
    return clock_text(seconds)
