"""Opinion groups read as letters (Group A, B, …, as Pol.is names them) wherever a person reads
them, the letter following the engine's id; machine outputs keep the id and carry the letter
beside it."""

from __future__ import annotations

import csv
import dataclasses
import json

import numpy as np
import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.deliberation.test_map import vote
from tests.deliberation.test_map_groups import two_camps  # noqa: F401  (a fixture)
from track2.access.room import access_room
from track2.deliberation import exports, map_data, room_actions
from track2.deliberation.map_data import group_label
from track2.deliberation.models import Room


def id_of(label: str) -> int:
    """The inverse of group_label, written apart from it: the column number of a spreadsheet
    column's name, minus one."""
    n = 0
    for letter in label:
        assert "A" <= letter <= "Z", label
        n = n * 26 + (ord(letter) - ord("A") + 1)
    return n - 1


@pytest.mark.parametrize(
    ("group_id", "label"),
    [
        (0, "A"),
        (1, "B"),
        (2, "C"),
        (25, "Z"),
        (26, "AA"),
        (27, "AB"),
        (51, "AZ"),
        (52, "BA"),
        (701, "ZZ"),
        (702, "AAA"),
        (18_277, "ZZZ"),
        (18_278, "AAAA"),
    ],
)
def test_a_groups_letter_is_its_spreadsheet_column(group_id, label):
    assert group_label(group_id) == label


def test_ids_past_any_database_integer_still_have_one_letter_string_each():
    for big in (2**31, 2**63 - 1, 2**63, 2**64 + 5, 10**30):
        label = group_label(big)
        assert label.isascii() and label.isalpha() and label.isupper()
        assert id_of(label) == big
    assert group_label(2**63 - 1) != group_label(2**63)
    assert len(group_label(10**30)) == 22  # grows with the logarithm: no huge string


def test_a_negative_id_is_refused_with_what_was_wrong():
    with pytest.raises(ValueError, match="0 or more, not -1"):
        group_label(-1)


@given(st.integers(min_value=0, max_value=2**70))
def test_every_id_has_its_own_letters_and_reads_back(group_id):
    assert id_of(group_label(group_id)) == group_id


def test_the_page_names_group_zero_group_a(two_camps):  # noqa: F811
    world, _splits, _shared = two_camps
    shown = map_data.room_map(world.meeting)
    assert sorted(g["id"] for g in shown["groups"]) == [0, 1]
    page = render_to_string("deliberation/_map.html", {"map": shown, "meeting": world.meeting})
    # the summary's list, each group's heading, the table's columns and the delegations' list
    assert "group A (5), group B (5)" in page
    assert "<h3>Group A · 5 people</h3>" in page and "<h3>Group B · 5 people</h3>" in page
    assert '<th scope="col">Group A</th><th scope="col">Group B</th>' in page
    assert "<li>Group A: <bdi>" in page and "<li>Group B: <bdi>" in page
    for numbered in ("Group 0", "Group 1", "group 0", "group 1"):
        assert numbered not in page


def test_the_map_page_and_the_facilitators_console_show_the_letters(two_camps, client):  # noqa: F811
    world, _splits, _shared = two_camps
    client.force_login(world.users["facilitator"])
    args = (world.dialogue.pk, world.meeting.pk)
    for url in (reverse("deliberation:map", args=args), reverse("facilitation:floor", args=args)):
        page = client.get(url).content.decode()
        assert "<h3>Group A · 5 people</h3>" in page, url
        assert "Group 0" not in page and "group 0 (" not in page, url


def _fit(meeting):
    map_data.room_map(meeting)
    return map_data._room_state(meeting).fit.analysis


def _without_group_one(analysis):
    """The fit as the engine leaves it once group 1 has emptied and the next has kept its id 2
    (commonground.live: "a group emptied by the refit: its rows leave the tables"; ids persist
    from update to update): the two camps' groups are ids 0 and 2."""
    renumber = {0: 0, 1: 2}
    return dataclasses.replace(
        analysis,
        group_ids=np.array([renumber[int(g)] for g in analysis.group_ids], dtype=np.int64),
        column_ids=np.array([renumber[int(g)] for g in analysis.column_ids], dtype=np.int64),
        group_labels=np.array(
            [renumber.get(int(g), -1) for g in analysis.group_labels], dtype=np.int64
        ),
        repness={renumber[int(g)]: rows for g, rows in analysis.repness.items()},
    )


def test_a_groups_letter_follows_its_id_not_its_place(two_camps):  # noqa: F811
    world, _splits, _shared = two_camps
    analysis = _fit(world.meeting)
    assert sorted(analysis.group_ids.tolist()) == [0, 1]
    source = map_data._source(map_data._room_state(world.meeting))
    shown = map_data.disclosed_map(world.meeting, source, 3, _without_group_one(analysis), "")
    # the second group in the list is id 2: "C", not "B"
    assert [(g["id"], g["label"]) for g in shown["groups"]] == [(0, "A"), (2, "C")]
    for statement in shown["statements"]:
        assert [(r["group"], r["label"]) for r in statement["by_group"]] == [(0, "A"), (2, "C")]
    crossed = shown["groups_by_delegation"]["rows"]
    assert sorted((r["group"], r["label"]) for r in crossed) == [(0, "A"), (2, "C")]
    page = render_to_string("deliberation/_map.html", {"map": shown, "meeting": world.meeting})
    assert "<h3>Group C · 5 people</h3>" in page and "<li>Group C: <bdi>" in page
    assert '<th scope="col">Group A</th><th scope="col">Group C</th>' in page
    assert "Group B" not in page and "group B" not in page


def test_the_api_carries_each_letter_beside_each_group_id(two_camps, api):  # noqa: F811
    world, _splits, _shared = two_camps
    shown = api(world.users["facilitator"])("get", world.url("/common-ground")).json()
    assert [(g["id"], g["label"]) for g in shown["groups"]] == [(0, "A"), (1, "B")]
    rows = [r for s in shown["statements"] for r in s["by_group"]]
    assert rows and all(r["label"] == group_label(r["group"]) for r in rows)
    crossed = shown["groups_by_delegation"]["rows"]
    assert sorted((r["group"], r["label"]) for r in crossed) == [(0, "A"), (1, "B")]
    # a participant's after-voting view too
    voter = api(world.participants[0])("get", world.url("/common-ground")).json()
    assert [(g["id"], g["label"]) for g in voter["groups"]] == [(0, "A"), (1, "B")]


def test_the_exports_name_each_group_by_letter_and_id(two_camps):  # noqa: F811
    world, _splits, _shared = two_camps
    ctx = access_room(world.users["convener"], world.dialogue.pk, world.meeting.pk)
    header = next(
        csv.reader(line for line in exports.statements_csv(ctx).splitlines() if line[:1] != "#")
    )
    assert [c for c in header if c.startswith("group ")] == [
        "group A (id 0): agree share",
        "group B (id 1): agree share",
        "group A (id 0): votes",
        "group B (id 1): votes",
    ]
    document = exports.statements_json(ctx)
    assert [(g["id"], g["label"]) for g in document["groups"]] == [(0, "A"), (1, "B")]
    assert all(
        r["label"] == group_label(r["group"]) for s in document["statements"] for r in s["by_group"]
    )


def test_a_map_kept_before_the_letters_is_read_with_them(two_camps, client):  # noqa: F811
    """A room closed off the record keeps its map in the database; one kept before the maps
    carried letters is given them on reading, from its ids."""
    world, _splits, _shared = two_camps
    shown = map_data.room_map(world.meeting)
    old = json.loads(map_data.as_json(shown))  # a copy, as the database holds it
    for g in old["groups"]:
        del g["label"]
    for s in old["statements"]:
        for r in s["by_group"]:
            del r["label"]
    for r in old["groups_by_delegation"]["rows"]:
        del r["label"]
    room = Room.objects.get(meeting=world.meeting)
    room.kept_map = old
    room.save(update_fields=["kept_map"])
    read = map_data.room_map(world.meeting)
    assert [(g["id"], g["label"]) for g in read["groups"]] == [(0, "A"), (1, "B")]
    assert all(
        r["label"] == group_label(r["group"]) for s in read["statements"] for r in s["by_group"]
    )
    assert all(r["label"] == group_label(r["group"]) for r in read["groups_by_delegation"]["rows"])
    client.force_login(world.users["facilitator"])
    page = client.get(reverse("deliberation:map", args=(world.dialogue.pk, world.meeting.pk)))
    assert "<h3>Group A · 5 people</h3>" in page.content.decode()


def test_a_room_closed_off_the_record_keeps_its_letters(two_camps):  # noqa: F811
    world, splits, _shared = two_camps
    world.meeting.attribution_mode = "off_record"
    world.meeting.save(update_fields=["attribution_mode"])
    vote(world, world.participants[9], splits[0], "agree")
    room_actions.do_close(
        world.users["facilitator"],
        room_actions.check_close(world.users["facilitator"], world.dialogue.pk, world.meeting.pk),
    )
    kept = Room.objects.get(meeting=world.meeting).kept_map
    assert [(g["id"], g["label"]) for g in kept["groups"]] == [(0, "A"), (1, "B")]
