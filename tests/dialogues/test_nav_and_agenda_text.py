"""Tabs mark the current page for screen readers; agenda descriptions keep their line breaks."""

from __future__ import annotations

import re

from django.urls import reverse

from track2.meetings import actions as meeting_actions


def current_tabs(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<a href="[^"]*" aria-current="(\w+)">([^<]+)</a>', html)


def test_each_dialogue_tab_marks_its_own_page(world, signed_in):
    client = signed_in(world.users["convener"])
    d = world.dialogue.pk
    for name, label in (
        ("detail", "Overview"),
        ("meetings", "Meetings"),
        ("delegations", "Delegations"),
        ("parties", "Parties"),
        ("venues", "Venues"),
        ("roles", "Roles"),
        ("balance", "Balance"),
        ("edit", "Settings"),
    ):
        html = client.get(reverse(f"dialogues:{name}", args=[d])).content.decode()
        assert current_tabs(html) == [("page", label)], name


def test_a_page_inside_a_section_marks_its_tab_as_current_location(world, signed_in):
    html = (
        signed_in(world.users["participant"])
        .get(reverse("dialogues:meeting", args=[world.dialogue.pk, world.meeting.pk]))
        .content.decode()
    )
    assert current_tabs(html) == [("true", "Meetings")]


def test_people_tabs_mark_the_current_page(world, signed_in):
    client = signed_in(world.users["convener"])
    for name, label in (("list", "People"), ("add", "Add a person"), ("import", "Import a roster")):
        html = client.get(reverse(f"people:{name}", args=[world.dialogue.pk])).content.decode()
        assert ("page", label) in current_tabs(html), name


def test_agenda_description_keeps_line_breaks_and_stays_escaped(world, signed_in):
    meeting_actions.do_add_agenda_item(
        world.users["convener"],
        world.meeting,
        title="Fisheries",
        duration_minutes=30,
        description="Quotas\nPatrols\n<script>alert(1)</script>",
    )
    html = (
        signed_in(world.users["observer"])
        .get(reverse("dialogues:meeting", args=[world.dialogue.pk, world.meeting.pk]))
        .content.decode()
    )
    assert "Quotas<br>Patrols<br>&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_help_beside_the_jargon_without_script(world, signed_in):
    client = signed_in(world.users["convener"])
    d = world.dialogue.pk
    for url in (
        reverse("dialogues:detail", args=[d]),
        reverse("dialogues:meeting", args=[d, world.meeting.pk]),
        reverse("dialogues:meeting_create", args=[d]),
        reverse("dialogues:edit", args=[d]),
    ):
        html = client.get(url).content.decode()
        assert '<details class="glossary">' in html, url
        for term in (
            "Track 1.5",
            "Chatham House Rule",
            "Attribution modes",
            "k (smallest group shown)",
        ):
            assert f"<dt>{term}</dt>" in html, (url, term)
    form = client.get(reverse("dialogues:edit", args=[d])).content.decode()
    assert (
        'id="id_k_anonymity_helptext"' in form
        and "so that small numbers do not identify anyone" in form
    )
    assert 'id="id_default_attribution_mode_helptext"' in form
    meeting_form = client.get(reverse("dialogues:meeting_create", args=[d])).content.decode()
    assert 'aria-describedby="id_attribution_mode_helptext"' in meeting_form
