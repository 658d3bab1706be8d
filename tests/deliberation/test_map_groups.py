"""What sets each opinion group apart, in the room: the engine's Track 2 rule, the small-cell
rule (stricter than the reports'), and what each reader may see."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from django.template.loader import render_to_string

from tests.deliberation.conftest import build_room
from tests.deliberation.test_map import accepted_statement, vote
from track2.access.room import access_room
from track2.deliberation import exports, map_data

SPLITS = [
    "The islands belong to the North.",
    "Fishing rights follow the old treaty.",
    "The southern ports should charge the northern fleet.",
    "A joint patrol is a northern trick.",
]
SHARED = ["Talks should go on.", "Fishing quotas should be shared."]


def camps(world, statements, answer_of):
    for i, user in enumerate(world.participants):
        for s in statements:
            vote(world, user, s, answer_of(i, s))


@pytest.fixture
def two_camps(make_user, institution):
    """Two delegations of five that split on four statements and agree on two."""
    world = build_room(make_user, institution, per_side=5)
    splits = [accepted_statement(world, t) for t in SPLITS]
    shared = [accepted_statement(world, t) for t in SHARED]
    camps(world, splits, lambda i, s: "agree" if i < 5 else "disagree")
    camps(world, shared, lambda i, s: "agree")
    return world, splits, shared


def lists(shown):
    """Group id → {statement id: its entry}."""
    return {g["id"]: {r["id"]: r for r in g["representative"]} for g in shown["groups"]}


def test_each_group_lists_what_sets_it_apart(two_camps):
    world, splits, shared = two_camps
    shown = map_data.room_map(world.meeting)
    assert shown["state"] == "groups" and len(shown["groups"]) == 2
    listed = lists(shown)
    split_ids = {s.pk for s in splits}
    # each camp: the four statements it split on, its own answer, all five of it, none weak;
    # the statements everyone agreed with set no group apart
    answers = set()
    for entries in listed.values():
        assert set(entries) == split_ids
        assert {(r["share"], r["votes"], r["weak"]) for r in entries.values()} == {(1.0, 5, False)}
        (answer,) = {r["answer"] for r in entries.values()}
        answers.add(answer)
        texts = {r["text"] for r in entries.values()}
        assert texts == set(SPLITS)
    assert answers == {"agree", "disagree"}
    assert all(g["size"] == 5 for g in shown["groups"])


def test_a_statement_is_listed_only_where_the_groups_figures_may_be_shown(two_camps):
    world, splits, _shared = two_camps
    # one southerner agrees on the first split: the south's cells there are 1 and 4 (k = 3)
    vote(world, world.participants[9], splits[0], "agree")
    shown = map_data.room_map(world.meeting)
    assert shown["k"] == 3
    rows = {s["id"]: {r["group"]: r for r in s["by_group"]} for s in shown["statements"]}
    listed = lists(shown)
    hidden_somewhere = False
    for gid, entries in listed.items():
        for sid, row in rows.items():
            if not row[gid]["shown"]:
                hidden_somewhere = True
                assert sid not in entries, (gid, sid)
        for sid, entry in entries.items():
            assert rows[sid][gid]["shown"] and entry["votes"] == rows[sid][gid]["votes"]
    assert hidden_somewhere
    assert splits[0].pk not in set().union(*listed.values())


def test_one_pass_hides_the_groups_share_as_it_hides_the_delegations(two_camps):
    world, splits, _shared = two_camps
    # One northerner passes on the second split: 4 of the north's 5 agree. "80 % of 5" would
    # say that one of them did not: the north's delegation row is hidden for that, and its
    # group (the same five) must not show it either; the south's rows go with it, or the
    # room's totals would give the north's away.
    vote(world, world.participants[0], splits[1], "pass")
    shown = map_data.room_map(world.meeting)
    rows = {s["id"]: s for s in shown["statements"]}
    assert [r["shown"] for r in rows[splits[1].pk]["by_side"]] == [False, False]
    assert [r["shown"] for r in rows[splits[1].pk]["by_group"]] == [False, False]
    assert all(set(r) == {"group", "label", "shown"} for r in rows[splits[1].pk]["by_group"])
    listed = lists(shown)
    assert all(splits[1].pk not in entries for entries in listed.values())
    # the other splits, where every cell is 0 or 5, keep every figure
    for split in (splits[2], splits[3]):
        assert all(r["shown"] for r in rows[split.pk]["by_group"])
        assert all(split.pk in entries for entries in listed.values())


def test_a_group_row_follows_the_delegations_where_one_is_hidden(two_camps, monkeypatch):
    # A group whose own cells would pass is still hidden on a statement where a delegation's
    # row is hidden: the groups may be the delegations.
    world, splits, _shared = two_camps
    own_rule = map_data.group_rows_of

    def every_group_shown(analysis, k):  # as if each group's own cells passed everywhere
        return {
            sid: [r | {"shown": True, "votes": 5, "agree_share": 1.0} for r in rows]
            for sid, rows in own_rule(analysis, k).items()
        }

    monkeypatch.setattr(map_data, "group_rows_of", every_group_shown)
    map_data.forget()
    vote(world, world.participants[9], splits[0], "agree")  # the south: 1 agree, 4 not
    shown = map_data.room_map(world.meeting)
    rows = {s["id"]: s for s in shown["statements"]}
    assert not all(r["shown"] for r in rows[splits[0].pk]["by_side"])
    assert rows[splits[0].pk]["by_group"] == [
        {"group": r["group"], "label": r["label"], "shown": False}
        for r in rows[splits[0].pk]["by_group"]
    ]
    assert all(r["shown"] for r in rows[splits[2].pk]["by_group"])  # the rest as the rule says
    assert all(splits[0].pk not in entries for entries in lists(shown).values())


def test_a_groups_pass_share_leaves_out_the_pass_counts_the_rule_hides():
    # Group 2's two passes are hidden, and with them groups 1's and 2's disagrees and passes:
    # their sum over the statements would give a hidden one away, so the room's pass share
    # (as the reports') leaves those statements out for those groups.
    class Fit:  # the map remembers per fit, by weak reference (hashable, unlike a namespace)
        def __init__(self, **counts: np.ndarray) -> None:
            self.__dict__.update(counts)

    analysis = Fit(
        group_ids=np.array([0, 1, 2]),
        group_agree=np.array([[10, 8], [12, 9], [5, 7]]),
        group_disagree=np.array([[4, 8], [3, 9], [6, 7]]),
        group_seen=np.array([[17, 20], [18, 21], [13, 17]]),
        statement_ids=np.array([1, 2]),
    )
    hidden = map_data._passes_hidden(analysis, 3)
    assert hidden.tolist() == [[False, False], [True, False], [True, False]]


def test_a_group_of_fewer_than_k_lists_nothing(make_user, institution):
    # eight agree on everything divisive, two disagree: the two are a group of fewer than k
    world = build_room(make_user, institution, per_side=5)
    statements = [accepted_statement(world, f"Proposal {n}.") for n in range(8)]
    camps(world, statements, lambda i, s: "disagree" if i >= 8 else "agree")
    shown = map_data.room_map(world.meeting)
    sizes = sorted((g["size"] or 0, g["id"]) for g in shown["groups"])
    assert [s for s, _ in sizes] == [0, 8], sizes
    small = next(g for g in shown["groups"] if g["size"] is None)
    assert small["representative"] == []
    page = render_to_string("deliberation/_map.html", {"map": shown, "meeting": world.meeting})
    assert "Fewer than 3 people: nothing is shown for this group." in page


def test_a_participant_sees_the_lists_of_the_statements_they_voted_on(two_camps):
    world, splits, _shared = two_camps
    late = accepted_statement(world, "The lighthouse is northern.")
    for i, user in enumerate(world.participants[:9]):  # not the last southerner
        vote(world, user, late, "agree" if i < 5 else "disagree")
    everyone = lists(
        map_data.map_for(
            access_room(world.users["facilitator"], world.dialogue.pk, world.meeting.pk)
        )
    )
    assert all(late.pk in entries for entries in everyone.values())
    mine = map_data.map_for(access_room(world.participants[9], world.dialogue.pk, world.meeting.pk))
    assert all(late.pk not in entries for entries in lists(mine).values())
    assert all(set(entries) == {s.pk for s in splits} for entries in lists(mine).values())


def test_the_page_shows_the_lists_and_marks_weak_ones(two_camps):
    world, splits, _shared = two_camps
    shown = map_data.room_map(world.meeting)
    page = render_to_string("deliberation/_map.html", {"map": shown, "meeting": world.meeting})
    assert "What sets each opinion group apart" in page
    assert "100% agree (of 5): <bdi>The islands belong to the North.</bdi>" in page
    assert "100% disagree (of 5): <bdi>The islands belong to the North.</bdi>" in page
    assert "(weak:" not in page
    # per-group columns in the table of every statement
    assert page.count(">Group ") >= 4
    weak = {
        **shown,
        "groups": [
            g | {"representative": [r | {"weak": True} for r in g["representative"][:1]]}
            for g in shown["groups"]
        ],
    }
    page = render_to_string("deliberation/_map.html", {"map": weak, "meeting": world.meeting})
    assert page.count("(weak: does not pass the tests that it sets the group apart)") == 2
    # an empty list says why, never a bare heading: what the engine listed is hidden by small
    # cells; the engine listed nothing (no majority answer anywhere); or the reader sees only the
    # statements they voted on
    assert all(g["engine_listed"] and g["pass_share"] == 0.0 for g in shown["groups"])

    def empty(**change):
        groups = [g | {"representative": []} | change for g in shown["groups"]]
        return render_to_string(
            "deliberation/_map.html", {"map": shown | {"groups": groups}, "meeting": world.meeting}
        )

    assert empty().count("Nothing to show yet: what sets this group apart has fewer than 3") == 2
    nothing = empty(engine_listed=False, pass_share=0.75)
    assert nothing.count("did a majority of this group's voters give the same answer") == 2
    assert "(passes among their votes, where the small-cell rule shows them: 75%)." in nothing
    assert "passes among" not in empty(engine_listed=False, pass_share=None)
    voted = render_to_string(
        "deliberation/_map.html",
        {
            "map": shown
            | {"only_voted": True, "groups": [g | {"representative": []} for g in shown["groups"]]},
            "meeting": world.meeting,
        },
    )
    assert voted.count("Nothing among the statements you have voted on.") == 2


def test_the_csv_export_has_each_groups_figures_where_shown(two_camps):
    world, splits, _shared = two_camps
    vote(world, world.participants[9], splits[0], "agree")  # a hidden cell, as above
    ctx = access_room(world.users["convener"], world.dialogue.pk, world.meeting.pk)
    text = exports.statements_csv(ctx)
    assert "Figures by delegation or opinion group appear only" in text
    rows = list(
        csv.reader(
            io.StringIO("\n".join(line for line in text.splitlines() if not line.startswith("#")))
        )
    )
    header, body = rows[0], rows[1:]
    group_columns = [c for c in header if c.startswith("group ")]
    assert len(group_columns) == 4  # two groups, share and votes each
    shown = map_data.room_map(world.meeting)
    by_id = {s["id"]: s for s in shown["statements"]}
    for row in body:
        cells = dict(zip(header, row, strict=True))
        for g in by_id[int(cells["statement"])]["by_group"]:
            share = cells[f"group {g['label']} (id {g['group']}): agree share"]
            assert share == ("" if not g["shown"] else str(g["agree_share"]))


def test_the_api_answers_the_lists_as_each_reader_may_see_them(two_camps, api):
    world, splits, _shared = two_camps
    late = accepted_statement(world, "The lighthouse is northern.")
    for i, user in enumerate(world.participants[:9]):
        vote(world, user, late, "agree" if i < 5 else "disagree")
    facilitator = api(world.users["facilitator"])("get", world.url("/common-ground")).json()
    assert all(late.pk in entries for entries in lists(facilitator).values())
    voter = api(world.participants[9])("get", world.url("/common-ground")).json()
    assert voter["groups"] and all(late.pk not in e for e in lists(voter).values())
    # the room sees no results under "never": the lists go with the rest of the map
    from track2.deliberation.models import Room

    Room.objects.filter(meeting=world.meeting).update(results=Room.Results.NEVER)
    refused = api(world.participants[9])("get", world.url("/common-ground"))
    assert refused.status_code == 403 and "representative" not in refused.content.decode()


def test_a_group_that_passes_on_everything_is_said_to(make_user, institution):
    # four agree, four disagree, four pass on every divisive statement
    world = build_room(make_user, institution, per_side=6)
    statements = [accepted_statement(world, t) for t in SPLITS + SHARED]
    answer = ("agree", "disagree", "pass")
    camps(world, statements, lambda i, s: answer[i // 4])
    shown = map_data.room_map(world.meeting)
    passing = [g for g in shown["groups"] if g["pass_share"] == 1.0]
    assert len(passing) == 1 and passing[0]["size"] == 4, shown["groups"]
    assert passing[0]["representative"] == [] and not passing[0]["engine_listed"]
    page = render_to_string("deliberation/_map.html", {"map": shown, "meeting": world.meeting})
    assert (
        "Nothing to list: on no statement did a majority of this group's voters give the same "
        "answer (passes among their votes, where the small-cell rule shows them: 100%)." in page
    )


def test_the_groups_by_delegation_name_the_delegations_that_make_them_up(two_camps):
    world, splits, _shared = two_camps
    shown = map_data.room_map(world.meeting)
    rows = shown["groups_by_delegation"]["rows"]
    # the two camps are the two delegations
    assert sorted(r["delegations"] for r in rows) == [["North"], ["South"]]
    page = render_to_string("deliberation/_map.html", {"map": shown, "meeting": world.meeting})
    assert "Opinion groups and delegations" in page and "cuts across the delegations" not in page
    assert "<bdi>North</bdi>" in page


def test_a_group_with_two_of_another_delegation_does_not_cut_across(make_user, institution):
    # six of the north and two of the south agree, four of the south disagree: the agreeing
    # group has a south share of 2 (under k) and says only "North"; three of the south in it
    # (a fifth and k) would make it cut across
    world = build_room(make_user, institution, per_side=6)
    statements = [accepted_statement(world, t) for t in SPLITS + SHARED]
    camps(world, statements, lambda i, s: "agree" if i < 8 else "disagree")
    shown = map_data.room_map(world.meeting)
    rows = {
        None if r["delegations"] is None else tuple(r["delegations"])
        for r in shown["groups_by_delegation"]["rows"]
    }
    # the group of four (under 2k - 1 = 5) is too small to say anything of
    assert rows == {("North",), None}, shown["groups_by_delegation"]
    page = render_to_string("deliberation/_map.html", {"map": shown, "meeting": world.meeting})
    assert "fewer than 5 voters, too few to say" in page
    assert not any("counts" in r for r in shown["groups_by_delegation"]["rows"])
    # after voting, a participant sees none of it: it is about the whole room
    mine = map_data.map_for(access_room(world.participants[0], world.dialogue.pk, world.meeting.pk))
    assert mine["groups_by_delegation"] is None
    page = render_to_string("deliberation/_map.html", {"map": mine, "meeting": world.meeting})
    assert "Opinion groups and delegations" not in page


def test_a_group_with_a_fifth_and_k_of_another_delegation_cuts_across(make_user, institution):
    # six of the north and three of the south agree (a third of the group), three disagree
    world = build_room(make_user, institution, per_side=6)
    statements = [accepted_statement(world, t) for t in SPLITS + SHARED]
    camps(world, statements, lambda i, s: "agree" if i < 9 else "disagree")
    shown = map_data.room_map(world.meeting)
    rows = [r["delegations"] for r in shown["groups_by_delegation"]["rows"]]
    assert ["North", "South"] in rows, shown["groups_by_delegation"]
    page = render_to_string("deliberation/_map.html", {"map": shown, "meeting": world.meeting})
    assert "cuts across the delegations" in page


def test_no_groups_by_delegation_once_the_key_is_destroyed(two_camps):
    from tests.deliberation.test_key_separation import _second_convener
    from track2.deliberation import room_actions

    world, _splits, _shared = two_camps
    assert map_data.room_map(world.meeting)["groups_by_delegation"] is not None
    for convener in (world.users["convener"], _second_convener(world)):
        request = room_actions.check_destroy_key(convener, world.dialogue.pk, world.dialogue.title)
        room_actions.do_destroy_key(convener, request)
    shown = map_data.room_map(world.meeting)
    # the groups stay (they need no key); which delegation a voter is in is gone
    assert shown["groups"] and shown["groups_by_delegation"] is None and shown["sides"] == []


def test_the_bridging_list_leaves_out_what_a_shown_group_leans_against():
    """15-per-hour-seattle as a room's fit: five of the ten highest bridging intercepts are
    statements one group of three disagreed with as often as it agreed, or more (the divide is
    one axis; the group sits off it). The room lists the others; a group whose figures the
    rule hides there says nothing either way."""
    from pathlib import Path

    from track2.commonground import analyze_track2, load_conversation
    from track2.reports.common_ground import top_bridging

    folder = Path(__file__).resolve().parents[1] / "data" / "polis" / "15-per-hour-seattle"
    fit = analyze_track2(load_conversation(folder).matrix, random_state=0)
    k = 3
    _, _, bridging, _ = map_data._fit_parts(fit, k)
    b = fit.bridging
    top = [int(b.statement_ids[j]) for j in top_bridging(b, set()) if b.statement_intercept[j] > 0]
    figures = map_data._figures_of(fit, k)
    sizes = {gid: len(m) for gid, m in fit.group_members().items()}

    def leaning_against(sid: int) -> list[int]:
        j = int(np.flatnonzero(fit.statement_ids == sid)[0])
        against = []
        for g, gid in enumerate(fit.group_ids.tolist()):
            shown = figures[j][g]
            if sizes[gid] < k or not (shown.answer("agree") and shown.answer("disagree")):
                continue  # (a shown majority alone settles it too; not needed on this room)
            if fit.group_agree[g, j] <= fit.group_disagree[g, j]:
                against.append(gid)
        return against

    left_out = [sid for sid in top if sid not in bridging]
    assert len(top) == 10 and len(left_out) == 5
    assert bridging == [sid for sid in top if sid not in left_out]  # the same order
    assert all(leaning_against(sid) for sid in left_out)
    assert not any(leaning_against(sid) for sid in bridging)
