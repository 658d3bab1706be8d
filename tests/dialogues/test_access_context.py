"""The access context itself: every question it answers, for every role and for the people who
hold none (an outsider, a member of another dialogue, a convener of another institution, the
site administrator). Expected answers are written out by hand, not derived from track2.access."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from track2.access import NotFound, access_dialogue, dialogue_access, dialogues_for
from track2.access.meetings import access_meeting

NOBODY = ("outsider", "member_elsewhere", "foreign_convener", "site_admin")

# role → (member, convener, facilitator, rapporteur, participant, observer, liaison, agenda)
HELD = {
    "convener": (1, 1, 0, 0, 0, 0, 0, 1),
    "facilitator": (1, 0, 1, 0, 0, 0, 0, 1),
    "rapporteur": (1, 0, 0, 1, 0, 0, 0, 0),
    "participant": (1, 0, 0, 0, 1, 0, 0, 0),
    "observer": (1, 0, 0, 0, 0, 1, 0, 0),
    "liaison": (1, 0, 0, 0, 0, 0, 1, 0),
    **{who: (0, 0, 0, 0, 0, 0, 0, 0) for who in NOBODY},
}
# role → the needs it satisfies
NEEDS_MET = {
    "convener": {"member", "facilitator", "rapporteur", "liaison", "convener"},
    "facilitator": {"member", "facilitator", "rapporteur"},
    "rapporteur": {"member", "rapporteur"},
    "participant": {"member", "participant"},
    "observer": {"member"},
    "liaison": {"member", "liaison"},
    **{who: set() for who in NOBODY},
}
ALL_NEEDS = ("member", "participant", "facilitator", "rapporteur", "liaison", "convener")
# Attendance lists: confidential → conveners only; open → every member but observers.
SEES_CONFIDENTIAL_LIST = {"convener"}
SEES_OPEN_LIST = {"convener", "facilitator", "rapporteur", "participant", "liaison"}


@pytest.mark.parametrize("who", list(HELD))
def test_every_property_for_every_role(world, who):
    ctx = dialogue_access(world.users[who], world.dialogue)
    member, convener, facilitator, rapporteur, participant, observer, liaison, agenda = HELD[who]
    assert ctx.is_member is bool(member)
    assert ctx.is_convener is bool(convener)
    assert ctx.is_facilitator is bool(facilitator)
    assert ctx.is_rapporteur is bool(rapporteur)
    assert ctx.is_participant is bool(participant)
    assert ctx.is_observer is bool(observer)
    assert ctx.is_liaison is bool(liaison)
    assert ctx.is_only_observer is bool(observer)
    assert ctx.may_manage_agenda is bool(agenda)
    assert ctx.may_facilitate is bool(agenda)
    assert {need for need in ALL_NEEDS if ctx.has(need)} == NEEDS_MET[who]
    assert ctx.sees_attendance is (who in SEES_CONFIDENTIAL_LIST)
    world.dialogue.is_attendance_confidential = False
    assert dialogue_access(world.users[who], world.dialogue).sees_attendance is (
        who in SEES_OPEN_LIST
    )


@pytest.mark.parametrize("who", list(HELD))
def test_the_loader_agrees_with_the_context(world, who):
    user = world.users[who]
    for need in ALL_NEEDS:
        if need in NEEDS_MET[who]:
            found = access_dialogue(user, world.dialogue.pk, need=need)
            assert (found.dialogue, found.user) == (world.dialogue, user)
            assert found.roles == dialogue_access(user, world.dialogue).roles
        else:
            with pytest.raises(NotFound):
                access_dialogue(user, world.dialogue.pk, need=need)


def test_person_and_seat_are_the_viewers_own(world):
    ctx = dialogue_access(world.users["participant"], world.dialogue)
    assert ctx.person == world.persons["arin"]
    assert ctx.own_seat.delegation == world.caldera
    rapporteur = dialogue_access(world.users["rapporteur"], world.dialogue)
    assert rapporteur.person is None and rapporteur.own_seat is None
    anonymous = dialogue_access(AnonymousUser(), world.dialogue)
    assert (anonymous.roles, anonymous.person, anonymous.own_seat) == (frozenset(), None, None)


def test_role_names_are_sorted_and_several_roles_combine(world):
    from track2.dialogues.models import Membership

    user = world.users["observer"]
    Membership.objects.create(dialogue=world.dialogue, user=user, role="liaison")
    ctx = dialogue_access(user, world.dialogue)
    assert ctx.role_names == ("liaison", "observer")
    assert not ctx.is_only_observer  # a liaison who also observes reads rosters
    assert ctx.has("liaison") and not ctx.has("facilitator")
    assert [c.role_names for c in dialogues_for(user)] == [("liaison", "observer")]


def test_an_unknown_need_is_a_programming_error(world):
    with pytest.raises(ValueError, match="unknown access need"):
        dialogue_access(world.users["convener"], world.dialogue).has("admin")


@pytest.mark.parametrize("who", ["convener", "facilitator", "participant", "observer"])
def test_meeting_access_answers_for_its_dialogue(world, who):
    found = access_meeting(world.users[who], world.dialogue.pk, world.meeting.pk)
    ctx = found.dialogue_access
    assert (found.is_convener, found.may_manage_agenda, found.sees_attendance) == (
        ctx.is_convener,
        ctx.may_manage_agenda,
        ctx.sees_attendance,
    )
    assert found.own_seat is None  # nobody is on this meeting's list yet
    assert found.dialogue is ctx.dialogue  # read once, shared
