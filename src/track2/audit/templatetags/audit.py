"""The history of one object, on its own page (meeting, delegation, person), for conveners."""

from __future__ import annotations

from django import template

from track2.audit import queries

register = template.Library()
SHOWN = 10


@register.inclusion_tag("audit/history.html")
def object_history(dialogue, object_type: str, object_id: int) -> dict:
    entries = queries.for_dialogue(dialogue, object_type=object_type, object_id=object_id)
    return _history(dialogue, entries, object_type=object_type, object_id=object_id)


@register.inclusion_tag("audit/history.html")
def person_history(dialogue, person_id: int) -> dict:
    return _history(
        dialogue, queries.for_person(dialogue, person_id), object_type="", object_id=None
    )


def _history(dialogue, entries, *, object_type: str, object_id) -> dict:
    shown = list(entries[: SHOWN + 1])
    return {
        "dialogue": dialogue,
        "lines": queries.lines(dialogue, shown[:SHOWN]),
        "more": len(shown) > SHOWN,
        "object_type": object_type,
        "object_id": object_id,
    }
