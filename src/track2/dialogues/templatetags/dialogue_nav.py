"""The sub-navigation of a dialogue's pages, showing only what the viewer may open and marking
the tab of the current page (aria-current)."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext as _

from track2.access import DialogueAccess
from track2.dialogues.views import people_links

register = template.Library()


def current_of(path: str, href: str, *, sections: bool = True) -> str | None:
    """ "page" on the tab of this very page, "true" on the tab whose section this page is in."""
    if path == href:
        return "page"
    if sections and path.startswith(href):
        return "true"
    return None


def _sees_impact(viewer: DialogueAccess) -> bool:
    """Observers see the impact tab only when the convener opened a part of it to them (one
    query, for observers alone)."""
    if not viewer.is_only_observer:
        return True
    from track2.access.impact import disclosure_of

    chosen = disclosure_of(viewer.dialogue)
    return chosen.observers_see_recommendations or chosen.observers_see_evaluation


@register.inclusion_tag("dialogues/_nav.html", takes_context=True)
def dialogue_nav(context, viewer: DialogueAccess):
    """`viewer`: the page's DialogueAccess (its view passes it as `access`): the tabs follow the
    roles it already read, so the navigation costs no query."""
    if not isinstance(viewer, DialogueAccess):
        raise TypeError("dialogue_nav takes the page's DialogueAccess; pass it as `access`")
    request = context["request"]
    dialogue = viewer.dialogue
    is_convener = viewer.is_convener
    d = dialogue.pk
    tabs = [
        (_("Overview"), reverse("dialogues:detail", args=[d])),
        (_("Meetings"), reverse("dialogues:meetings", args=[d])),
        (_("Delegations"), reverse("dialogues:delegations", args=[d])),
        (_("Outcomes"), reverse("outcomes:documents", args=[d])),
        (_("Back channel"), reverse("backchannel:directory", args=[d])),
    ]
    if _sees_impact(viewer):
        tabs.append((_("Impact"), reverse("impact:overview", args=[d])))
    if is_convener:
        people = people_links(dialogue).get("people")
        if people:
            tabs.append((_("People"), people))
        tabs += [
            (_("Parties"), reverse("dialogues:parties", args=[d])),
            (_("Venues"), reverse("dialogues:venues", args=[d])),
            (_("Roles"), reverse("dialogues:roles", args=[d])),
            (_("Balance"), reverse("dialogues:balance", args=[d])),
            (_("Settings"), reverse("dialogues:edit", args=[d])),
            (_("Retention"), reverse("operations:retention", args=[d])),
            (_("Changes"), reverse("audit:changes", args=[d])),
        ]
    overview = tabs[0][1]
    return {
        "dialogue": dialogue,
        # The overview's address starts every other one: it is current only on itself.
        "tabs": [
            (label, href, current_of(request.path, href, sections=href != overview))
            for label, href in tabs
        ],
    }


@register.simple_tag(takes_context=True)
def aria_current(context, href: str) -> str:
    """aria-current="page" for a link to the page being shown (people's tabs)."""
    request = context.get("request")
    return "page" if request is not None and request.path == href else ""
