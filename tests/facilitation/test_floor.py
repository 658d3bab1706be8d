"""The agenda timer and the speaking queue through the API: the flow, and every refusal."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from tests.facilitation.conftest import floor_url
from track2.audit.models import AuditEntry
from track2.dialogues.models import AttributionMode
from track2.facilitation.models import Hand, ItemInterval, SpeakingTotal, Turn
from track2.meetings.models import MeetingParticipant


def test_timer_start_pause_resume_next_from_stored_intervals(world, api):
    call = api(world.users["facilitator"])
    started = call("post", floor_url(world, "/timer"), {"action": "start"})
    assert started.status_code == 200, started.content
    body = started.json()
    assert body["current_item"]["title"] == "Fisheries" and body["is_running"]
    assert body["next_item"]["title"] == "Shipping lanes"
    # Move the stored interval back 40 minutes: 10 minutes over the 30 planned.
    ItemInterval.objects.update(started_at=timezone.now() - timedelta(minutes=40))
    paused = call("post", floor_url(world, "/timer"), {"action": "pause"}).json()
    assert not paused["is_running"]
    assert 2399 <= paused["current_item"]["elapsed_seconds"] <= 2402
    assert 599 <= paused["current_item"]["overrun_seconds"] <= 602
    # Paused: the elapsed time does not grow (it is a sum of intervals, not a counter).
    again = call("get", floor_url(world)).json()
    assert again["current_item"]["elapsed_seconds"] == paused["current_item"]["elapsed_seconds"]
    resumed = call("post", floor_url(world, "/timer"), {"action": "resume"}).json()
    assert resumed["is_running"] and ItemInterval.objects.count() == 2
    moved = call("post", floor_url(world, "/timer"), {"action": "next"}).json()
    assert moved["current_item"]["title"] == "Shipping lanes" and moved["next_item"] is None
    assert ItemInterval.objects.filter(ended_at__isnull=True).count() == 1
    done = call("post", floor_url(world, "/timer"), {"action": "next"}).json()
    assert done["current_item"] is None and not done["is_running"] and done["next_item"] is None
    assert AuditEntry.objects.filter(action__startswith="timer_").count() == 5
    # The dialogue's Changes page names what the facilitator did.
    from track2.audit.queries import ACTIONS

    assert str(ACTIONS["timer_pause"]) == "paused the agenda timer on"


def test_timer_refusals(world, api):
    call = api(world.users["facilitator"])
    for body, words in [
        ({"action": "pause"}, "nothing to pause"),
        ({"action": "resume"}, "start one first"),
        ({"action": "next"}, "start one first"),
        ({"action": "explode"}, "Choose one of"),
        ({"action": "start", "item_id": 999999}, "not an item of this meeting"),
    ]:
        response = call("post", floor_url(world, "/timer"), body)
        assert response.status_code == 400, (body, response.content)
        assert words in response.json()["detail"]
    for body in [
        {"action": "start", "item_id": 2**70},
        {"action": "\u0000"},
        {"action": "x" * 100},
    ]:
        assert call("post", floor_url(world, "/timer"), body).status_code == 422


def test_timers_on_a_meeting_that_is_over(world, api):
    world.meeting.starts_at = timezone.now() - timedelta(hours=5)
    world.meeting.ends_at = timezone.now() - timedelta(hours=1)
    world.meeting.save()
    response = api(world.users["facilitator"])(
        "post", floor_url(world, "/timer"), {"action": "start"}
    )
    assert response.status_code == 400
    assert "This meeting is over" in response.json()["detail"]
    assert not ItemInterval.objects.exists()


def test_queue_raise_order_give_end(world, api):
    north, south = world.participants[0], world.participants[4]
    fac = api(world.users["facilitator"])
    assert api(north)("post", floor_url(world, "/hand"), {}).status_code == 201
    twice = api(north)("post", floor_url(world, "/hand"), {})
    assert twice.status_code == 400 and "already raised" in twice.json()["detail"]
    assert (
        api(south)("post", floor_url(world, "/hand"), {"direct_response": True}).status_code == 201
    )
    queue = fac("get", floor_url(world)).json()["queue"]
    assert [h["delegation"] for h in queue] == ["North", "South"]
    assert queue[1]["direct_response"]
    # The facilitator moves the direct response up.
    ordered = fac("post", floor_url(world, "/order"), {"hand_ids": [queue[1]["id"]]}).json()
    assert [h["id"] for h in ordered["queue"]] == [queue[1]["id"], queue[0]["id"]]
    given = fac("post", floor_url(world, "/give"), {"hand_id": queue[1]["id"]}).json()
    assert given["speaking"]["delegation"] == "South" and len(given["queue"]) == 1
    busy = fac("post", floor_url(world, "/give"), {"hand_id": queue[0]["id"]})
    assert busy.status_code == 400 and "end their turn first" in busy.json()["detail"]
    assert fac("post", floor_url(world, "/end-turn")).status_code == 200
    again = fac("post", floor_url(world, "/end-turn"))
    assert again.status_code == 400 and "already ended" in again.json()["detail"]
    # The north hand is lowered by its owner; lowering twice is refused.
    assert api(north)("delete", floor_url(world, "/hand")).status_code == 204
    assert api(north)("delete", floor_url(world, "/hand")).status_code == 400
    assert Turn.objects.count() == 1 and not Hand.objects.exists()


def test_the_floor_goes_only_to_a_present_raised_hand(world, api):
    north = world.participants[0]
    fac = api(world.users["facilitator"])
    api(north)("post", floor_url(world, "/hand"), {})
    hand = Hand.objects.get()
    MeetingParticipant.objects.filter(person__user=north).update(status="absent")
    absent = fac("post", floor_url(world, "/give"), {"hand_id": hand.pk})
    assert absent.status_code == 400 and "no longer present" in absent.json()["detail"]
    missing = fac("post", floor_url(world, "/give"), {"hand_id": hand.pk + 1000})
    assert missing.status_code == 400 and "not in the queue" in missing.json()["detail"]
    # An absent participant may not raise a hand at all.
    south = world.participants[4]
    MeetingParticipant.objects.filter(person__user=south).update(status="declined")
    assert api(south)("post", floor_url(world, "/hand"), {}).status_code == 403
    assert not Turn.objects.exists()


def test_every_problem_at_once(world, api):
    world.meeting.ends_at = timezone.now() - timedelta(minutes=1)
    world.meeting.starts_at = timezone.now() - timedelta(hours=2)
    world.meeting.save()
    response = api(world.users["facilitator"])(
        "post", floor_url(world, "/order"), {"hand_ids": [5, 6]}
    )
    assert response.status_code == 400
    messages = [e["message"] for e in response.json()["errors"]]
    assert len(messages) == 3 and "This meeting is over" in messages[0]


def test_turn_limit_range_and_overrun(world, api):
    fac = api(world.users["facilitator"])
    for bad in [5, 3601, 2**64, True, 60.0]:
        response = fac("put", floor_url(world, "/turn-limit"), {"seconds": bad})
        assert response.status_code == 422 and "from 10 to 3600" in response.text, (
            bad,
            response.text,
        )
    assert (
        fac("put", floor_url(world, "/turn-limit"), {"seconds": 60}).json()["turn_limit_seconds"]
        == 60
    )
    api(world.participants[0])("post", floor_url(world, "/hand"), {})
    fac("post", floor_url(world, "/give"), {"hand_id": Hand.objects.get().pk})
    Turn.objects.update(started_at=timezone.now() - timedelta(seconds=90))
    speaking = fac("get", floor_url(world)).json()["speaking"]
    assert speaking["over_limit"] and speaking["seconds"] >= 90
    assert (
        fac("put", floor_url(world, "/turn-limit"), {"seconds": None}).json()["turn_limit_seconds"]
        is None
    )


def _speak(world, api, user, seconds):
    """`user` raises a hand, is given the floor, and spoke `seconds` (moved back in time)."""
    api(user)("post", floor_url(world, "/hand"), {})
    hand = Hand.objects.get(person__user=user)
    api(world.users["facilitator"])("post", floor_url(world, "/give"), {"hand_id": hand.pk})
    api(world.users["facilitator"])("post", floor_url(world, "/end-turn"))
    turn = Turn.objects.filter(person__user=user).latest("pk")
    turn.started_at = turn.ended_at - timedelta(seconds=seconds)
    turn.save()


def test_balance_warns_the_facilitator_only(world, api):
    fac = api(world.users["facilitator"])
    fac("post", floor_url(world, "/timer"), {"action": "start"})
    ItemInterval.objects.update(started_at=timezone.now() - timedelta(hours=1))
    for user, seconds in [
        (world.participants[0], 300),
        (world.participants[1], 200),
        (world.participants[4], 20),
    ]:
        _speak(world, api, user, seconds)
    balance = fac("get", floor_url(world)).json()["balance"]
    north = balance["sides"][0]
    assert (north["delegation"], north["seconds"], north["turns"]) == ("North", 500, 2)
    assert north["share_present"] == 0.5 and north["dominates"]
    assert "North" in balance["warning"]
    assert balance["by_item"][0]["item"] == "Fisheries"
    assert api(world.participants[0])("get", floor_url(world)).json()["balance"] is None


def test_closing_under_chatham_house_keeps_totals_per_delegation_and_item(world, api):
    fac = api(world.users["facilitator"])
    fac("post", floor_url(world, "/timer"), {"action": "start"})
    _speak(world, api, world.participants[0], 120)
    _speak(world, api, world.participants[5], 60)
    api(world.participants[2])("post", floor_url(world, "/hand"), {})
    closed = fac("post", floor_url(world, "/close")).json()
    assert closed["is_closed"] and closed["queue"] == [] and closed["speaking"] is None
    assert not Turn.objects.exists() and not Hand.objects.exists()
    kept = {
        (t.delegation.name, t.agenda_item.title if t.agenda_item else None): (
            t.seconds,
            t.turns,
            t.present,
        )
        for t in SpeakingTotal.objects.select_related("delegation", "agenda_item")
    }
    assert kept == {("North", "Fisheries"): (120, 1, 4), ("South", "Fisheries"): (60, 1, 4)}
    assert [s["seconds"] for s in closed["balance"]["sides"]] == [120, 60]
    again = fac("post", floor_url(world, "/close"))
    assert again.status_code == 400 and "already closed" in again.json()["detail"]
    refused = api(world.participants[1])("post", floor_url(world, "/hand"), {})
    assert refused.status_code == 400 and "This meeting is over" in refused.json()["detail"]


def test_closing_off_the_record_keeps_one_total_per_delegation(world, api):
    world.meeting.attribution_mode = AttributionMode.OFF_RECORD
    world.meeting.save()
    fac = api(world.users["facilitator"])
    fac("post", floor_url(world, "/timer"), {"action": "start"})
    _speak(world, api, world.participants[0], 30)
    fac("post", floor_url(world, "/timer"), {"action": "next"})
    _speak(world, api, world.participants[1], 40)
    fac("post", floor_url(world, "/close"))
    kept = list(
        SpeakingTotal.objects.select_related("delegation").values_list(
            "delegation__name", "agenda_item", "seconds", "turns"
        )
    )
    assert sorted(kept) == [("North", None, 70, 2), ("South", None, 0, 0)]


def test_on_the_record_keeps_turns(world, api):
    world.meeting.attribution_mode = AttributionMode.ON_RECORD
    world.meeting.save()
    _speak(world, api, world.participants[0], 30)
    api(world.users["facilitator"])("post", floor_url(world, "/close"))
    assert Turn.objects.count() == 1 and not SpeakingTotal.objects.exists()


def test_closing_the_room_closes_the_floor(world, api):
    from track2.deliberation import room_actions
    from track2.facilitation.models import Floor

    _speak(world, api, world.participants[0], 30)
    facilitator = world.users["facilitator"]
    room_actions.do_close(
        facilitator, room_actions.check_close(facilitator, world.dialogue.pk, world.meeting.pk)
    )
    assert Floor.objects.get(meeting=world.meeting).closed_at is not None
    assert not Turn.objects.exists()
    assert SpeakingTotal.objects.get(delegation=world.north).seconds == 30


def test_the_facilitation_team_is_not_a_side_in_the_balance(world, api):
    from track2.dialogues.models import Delegation, DelegationMember
    from track2.people.models import Person

    team = Delegation.objects.create(dialogue=world.dialogue, name="Chairs", kind="facilitation")
    person = Person.objects.create(
        institution=world.dialogue.institution,
        full_name="Chair Person",
        sector="academia",
        country="Caldera",
        email="chair@example.org",
    )
    DelegationMember.objects.create(dialogue=world.dialogue, delegation=team, person=person)
    MeetingParticipant.objects.create(meeting=world.meeting, person=person, status="attended")
    sides = api(world.users["facilitator"])("get", floor_url(world)).json()["balance"]["sides"]
    assert [(s["delegation"], s["present"]) for s in sides] == [("North", 4), ("South", 4)]
