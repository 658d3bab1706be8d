"""The sub-navigation of a dialogue's pages, showing only what the viewer may open."""

from django import template

from track2 import access
from track2.dialogues.views import people_links

register = template.Library()


@register.inclusion_tag("dialogues/_nav.html", takes_context=True)
def dialogue_nav(context, dialogue):
    roles = access.roles_of(context["request"].user, dialogue.pk)
    is_convener = access.has_need(roles, "convener")
    return {
        "dialogue": dialogue,
        "is_convener": is_convener,
        "people_links": people_links(dialogue) if is_convener else {},
    }
