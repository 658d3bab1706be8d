"""The pages (GET) and API endpoints this part adds, for the access matrix."""

from django.urls import reverse


def pages(world) -> list[tuple[str, str]]:
    d, m = world.dialogue.pk, world.meeting.pk
    item_url = None
    item = world.meeting.agenda_items.first()
    result = [
        ("detail", reverse("dialogues:detail", args=[d])),
        ("edit", reverse("dialogues:edit", args=[d])),
        ("parties", reverse("dialogues:parties", args=[d])),
        ("roles", reverse("dialogues:roles", args=[d])),
        ("delegations", reverse("dialogues:delegations", args=[d])),
        ("delegation_own", reverse("dialogues:delegation", args=[d, world.caldera.pk])),
        ("delegation_other", reverse("dialogues:delegation", args=[d, world.ostrava.pk])),
        ("balance", reverse("dialogues:balance", args=[d])),
        ("venues", reverse("dialogues:venues", args=[d])),
        ("venue_edit", reverse("dialogues:venue_edit", args=[d, world.venue.pk])),
        ("meetings", reverse("dialogues:meetings", args=[d])),
        ("meeting_create", reverse("dialogues:meeting_create", args=[d])),
        ("meeting", reverse("dialogues:meeting", args=[d, m])),
        ("meeting_edit", reverse("dialogues:meeting_edit", args=[d, m])),
        ("meeting_ics", reverse("dialogues:meeting_ics", args=[d, m])),
    ]
    if item is not None:
        item_url = reverse("dialogues:agenda_edit", args=[d, m, item.pk])
        result.append(("agenda_edit", item_url))
    return result
