"""What a convener and the other roles do through the pages, and bad input on every form."""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from track2.dialogues.models import Delegation, DelegationMember, Dialogue, Membership, Venue
from track2.institutions.models import ConveningRight
from track2.meetings.models import AgendaItem, Meeting, MeetingParticipant
from track2.people.models import Sector

from .conftest import make_person


def url(name, *args):
    return reverse(f"dialogues:{name}", args=args)


DIALOGUE_FORM = {
    "title": "Gulf Talks",
    "purpose": "Shipping lanes.",
    "track": "track2",
    "status": "planning",
    "default_attribution_mode": "chatham_house",
    "k_anonymity": 3,
    "min_members_per_side": 4,
    "max_side_ratio": "1.5",
    "max_gender_share": 75,
    "is_attendance_confidential": "on",
    "required_sectors": ["academia", "business"],
}


def test_a_user_with_a_convening_right_creates_a_dialogue_and_convenes_it(world, signed_in):
    ConveningRight.objects.create(
        institution=world.dialogue.institution, user=world.users["outsider"]
    )
    client = signed_in(world.users["outsider"])
    response = client.post(
        url("create"), {**DIALOGUE_FORM, "institution": world.dialogue.institution_id}
    )
    dialogue = Dialogue.objects.get(title="Gulf Talks")
    assert response["Location"] == url("parties", dialogue.pk)
    assert dialogue.created_by == world.users["outsider"]
    assert dialogue.institution == world.dialogue.institution
    assert dialogue.required_sectors == ["academia", "business"]
    assert Membership.objects.filter(
        dialogue=dialogue, user=world.users["outsider"], role="convener"
    ).exists()
    assert client.get(url("detail", dialogue.pk)).status_code == 200


@pytest.mark.parametrize("who", ["outsider", "participant", "facilitator", "member_elsewhere"])
def test_without_a_convening_right_nobody_sees_or_uses_convene(world, signed_in, who):
    client = signed_in(world.users[who])
    assert "Convene a new dialogue" not in client.get(reverse("site:home")).content.decode()
    page = client.get(url("create"))
    assert page.status_code == 403 and "track2 grant-convener" in page.content.decode()
    before = Dialogue.objects.count()
    refused = client.post(
        url("create"), {**DIALOGUE_FORM, "institution": world.dialogue.institution_id}
    )
    assert refused.status_code == 403 and Dialogue.objects.count() == before


def test_a_convener_cannot_create_in_an_institution_not_theirs(world, signed_in):
    foreign = world.users["foreign_convener"].convening_rights.get().institution
    client = signed_in(world.users["convener"])
    assert "Convene a new dialogue" in client.get(reverse("site:home")).content.decode()
    before = Dialogue.objects.count()
    response = client.post(url("create"), {**DIALOGUE_FORM, "institution": foreign.pk})
    assert response.status_code == 200 and b'class="errorlist' in response.content
    assert Dialogue.objects.count() == before


def test_dialogue_form_bad_input(world, signed_in):
    client = signed_in(world.users["convener"])
    before = Dialogue.objects.count()
    for bad in (
        {"title": ""},
        {"k_anonymity": 1},
        {"max_gender_share": 40},
        {"max_side_ratio": "0.5"},
        {"track": "track3"},
        {"required_sectors": ["astrology"]},
    ):
        response = client.post(url("create"), {**DIALOGUE_FORM, **bad})
        assert response.status_code == 200, bad
        assert b'class="errorlist' in response.content, bad
    assert Dialogue.objects.count() == before


def test_switch_to_track_2_refused_while_an_official_is_member(world, signed_in):
    client = signed_in(world.users["convener"])
    Dialogue.objects.filter(pk=world.dialogue.pk).update(track="track1_5")
    official = make_person(world.dialogue, "Sera Official", sector=Sector.SERVING_OFFICIAL)
    client.post(
        url("delegation", world.dialogue.pk, world.caldera.pk), {"seat": "1", "person": official.pk}
    )
    page = client.get(url("delegation", world.dialogue.pk, world.caldera.pk))
    assert b"personal capacity" in page.content
    response = client.post(
        url("edit", world.dialogue.pk), {**DIALOGUE_FORM, "title": "Changed", "track": "track2"}
    )
    assert response.status_code == 200
    assert b"Sera Official" in response.content and b"Track 2" in response.content
    world.dialogue.refresh_from_db()
    assert (world.dialogue.track, world.dialogue.title) == ("track1_5", "Varena Sea Dialogue")


def test_serving_official_refused_in_track_2_delegation(world, signed_in):
    client = signed_in(world.users["convener"])
    official = make_person(world.dialogue, "Sera Official", sector=Sector.SERVING_OFFICIAL)
    response = client.post(
        url("delegation", world.dialogue.pk, world.caldera.pk), {"seat": "1", "person": official.pk}
    )
    assert response.status_code == 200
    assert b"is a serving official" in response.content
    assert not DelegationMember.objects.filter(person=official).exists()


def test_person_in_two_delegations_refused(world, signed_in):
    from track2.dialogues import actions
    from track2.errors import ActionRefused

    try:
        actions.do_seat_in_delegation(world.users["convener"], world.ostrava, world.persons["bo"])
    except ActionRefused as refusal:
        assert "only one delegation" in refusal.message and refusal.field == "person"
    else:
        raise AssertionError("a second delegation was accepted")
    assert DelegationMember.objects.filter(person=world.persons["bo"]).count() == 1
    # the seat form only offers people who are not yet seated
    page = signed_in(world.users["convener"]).get(
        url("delegation", world.dialogue.pk, world.ostrava.pk)
    )
    assert b"Bo Tarn" not in page.content.split(b"Seat a person")[1]


def test_stale_seat_form_gets_the_one_delegation_reason(world, signed_in):
    """A seat form opened before the person was seated elsewhere (another tab, another convener):
    the page refuses with the reason, not with a bare "Select a valid choice"."""
    bo = world.persons["bo"]
    seated_in = DelegationMember.objects.get(person=bo).delegation
    other = world.ostrava if seated_in != world.ostrava else world.caldera
    client = signed_in(world.users["convener"])
    response = client.post(
        url("delegation", world.dialogue.pk, other.pk), {"seat": "1", "person": bo.pk}
    )
    assert response.status_code == 200
    assert f"is already in the delegation “{seated_in.name}”" in response.content.decode()
    assert b"only one delegation" in response.content
    assert b"Select a valid choice" not in response.content
    assert (
        f">{bo.full_name}</option>".encode() not in response.content
    )  # still offers only the unseated
    assert DelegationMember.objects.filter(person=bo).count() == 1


def test_delegation_rules_on_pages(world, signed_in):
    client = signed_in(world.users["convener"])
    d = world.dialogue.pk
    dup = client.post(url("delegations", d), {"name": "Facilitators", "kind": "facilitation"})
    assert b"already has a delegation called" in dup.content
    no_party = client.post(url("delegations", d), {"name": "Side C", "kind": "side"})
    assert b"Choose the party" in no_party.content
    full = client.post(url("delegation_delete", d, world.caldera.pk))
    assert full.status_code == 302 and Delegation.objects.filter(pk=world.caldera.pk).exists()
    party_blocked = client.post(url("party_remove", d, world.caldera.party_id), follow=True)
    assert b"represents this party" in party_blocked.content


def test_last_convener_cannot_leave(world, signed_in):
    client = signed_in(world.users["convener"])
    mine = Membership.objects.get(dialogue=world.dialogue, role="convener")
    response = client.post(url("role_remove", world.dialogue.pk, mine.pk), follow=True)
    assert b"at least one convener" in response.content
    assert Membership.objects.filter(pk=mine.pk).exists()


def test_a_role_is_offered_not_given(world, signed_in, mailoutbox):
    client = signed_in(world.users["convener"])
    response = client.post(
        url("roles", world.dialogue.pk),
        {"email": world.users["outsider"].email, "role": "observer"},
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(user=world.users["outsider"]).exists()
    assert mailoutbox[-1].to == [world.users["outsider"].email]
    bad = client.post(url("roles", world.dialogue.pk), {"email": "nobody", "role": "emperor"})
    assert bad.status_code == 400 and bad.content.count(b'class="errorlist') >= 2
    # Each field with an error names its errors (aria-describedby): every id it names exists,
    # so that a screen reader reads the error with the field.
    page = bad.content.decode()
    named = {i for ids in re.findall(r'aria-describedby="([^"]*)"', page) for i in ids.split()}
    assert {"id_email_error", "id_role_error"} <= named
    assert all(f'id="{i}"' in page for i in named), named


MEETING_FORM = {
    "title": "Round 3",
    "time_zone": "Asia/Singapore",
    "starts_at": "2031-03-02T09:00",
    "ends_at": "2031-03-02T17:00",
    "attribution_mode": "chatham_house",
}


def test_meeting_form_bad_input(world, signed_in):
    client = signed_in(world.users["convener"])
    before = Meeting.objects.count()
    cases = [
        ({"time_zone": "Mars/Olympus"}, b"is not a known time zone"),
        ({"ends_at": "2031-03-02T08:00"}, b"must end after it starts"),
        ({"ends_at": "2031-03-02T09:00"}, b"must end after it starts"),
        ({"starts_at": "not a date"}, b"errorlist"),
        ({"title": ""}, b"errorlist"),
    ]
    for change, message in cases:
        response = client.post(url("meeting_create", world.dialogue.pk), {**MEETING_FORM, **change})
        assert response.status_code == 200 and message in response.content, change
    assert Meeting.objects.count() == before


def test_meeting_times_in_two_zones_and_neutrality(world, signed_in):
    client = signed_in(world.users["convener"])
    caldera_venue = Venue.objects.create(
        dialogue=world.dialogue,
        name="Port Vell University",
        kind="university",
        city="Port Vell",
        country="Caldera",
        created_by=world.users["convener"],
    )
    response = client.post(
        url("meeting_create", world.dialogue.pk),
        {**MEETING_FORM, "venue": caldera_venue.pk},
        follow=True,
    )
    meeting = Meeting.objects.get(title="Round 3")
    assert meeting.starts_at.astimezone(UTC).hour == 1  # 09:00 in Singapore
    assert b"the country of Northern Republic of Caldera" in response.content
    # the participant's own zone is Asia/Singapore too: change it to see both
    world.users["participant"].time_zone = "America/New_York"
    world.users["participant"].save()
    page = (
        signed_in(world.users["participant"])
        .get(url("meeting", world.dialogue.pk, meeting.pk))
        .content
    )
    assert b"09:00" in page and b"Asia/Singapore" in page
    assert b"20:00" in page and b"America/New_York" in page  # 09:00 SGT = 20:00 EST the day before
    assert b"Neutrality" not in page  # a convener's and facilitator's concern


def test_meeting_edit_keeps_wall_clock_and_refuses_small_venue(world, signed_in):
    client = signed_in(world.users["convener"])
    meeting = world.past_meeting
    MeetingParticipant.objects.bulk_create(
        [
            MeetingParticipant(meeting=world.meeting, person=world.persons[k], status="invited")
            for k in ("arin", "bo", "cyra", "dane", "tomas")
        ]
    )
    data = {
        "title": "Round 2",
        "venue": world.venue.pk,
        "time_zone": "Europe/Vienna",
        "starts_at": "2031-05-01T10:00",
        "ends_at": "2031-05-01T12:00",
        "attribution_mode": "on_record",
    }
    response = client.post(url("meeting_edit", world.dialogue.pk, world.meeting.pk), data)
    assert response.status_code == 200 and b"holds 4 people" in response.content
    world.meeting.refresh_from_db()
    assert world.meeting.venue == world.home
    assert meeting.title == "Round 1"


def test_agenda_order_timing_and_bad_input(world, signed_in):
    client = signed_in(world.users["facilitator"])
    d, m = world.dialogue.pk, world.meeting.pk
    for title, minutes in (("Opening", 30), ("Fisheries", 120), ("Closing", 60)):
        client.post(
            url("agenda_add", d, m),
            {"title": title, "duration_minutes": minutes, "lead": world.persons["tomas"].pk},
        )
    items = list(AgendaItem.objects.filter(meeting_id=m))
    client.post(url("agenda_move", d, m, items[2].pk), {"direction": "up"})
    assert list(AgendaItem.objects.filter(meeting_id=m).values_list("title", flat=True)) == [
        "Opening",
        "Closing",
        "Fisheries",
    ]
    top = client.post(url("agenda_move", d, m, items[0].pk), {"direction": "up"}, follow=True)
    assert b"already at the top" in top.content
    over = client.post(
        url("agenda_add", d, m), {"title": "Long lunch", "duration_minutes": 200}, follow=True
    )
    assert b"The agenda takes 410 minutes but the meeting lasts 180 minutes" in over.content
    for bad in (
        {"title": "", "duration_minutes": 5},
        {"title": "x", "duration_minutes": 0},
        {"title": "x", "duration_minutes": 5, "lead": 99999},
    ):
        response = client.post(url("agenda_add", d, m), bad)
        assert response.status_code == 400, bad
    assert AgendaItem.objects.filter(meeting_id=m).count() == 4


def test_adding_an_unseated_candidate_to_a_meeting_says_why(world, signed_in):
    client = signed_in(world.users["convener"])
    d, m = world.dialogue.pk, world.meeting.pk
    refused = client.post(
        url("participants_add", d, m),
        {"persons": [world.persons["eli"].pk], "status": "invited"},
        follow=True,
    )
    # The action's words (the API's too), not "Choose at least one delegation member to add."
    assert "Eli Unseated is not in a delegation of this dialogue" in refused.content.decode()
    assert not MeetingParticipant.objects.filter(meeting_id=m).exists()


def test_participants_capacity_status_and_attendance(world, signed_in):
    client = signed_in(world.users["convener"])
    d, m = world.dialogue.pk, world.past_meeting.pk  # Lakeside Centre holds 4
    everyone = [world.persons[k].pk for k in ("arin", "bo", "cyra", "dane", "tomas")]
    over = client.post(
        url("participants_add", d, m), {"persons": everyone, "status": "invited"}, follow=True
    )
    assert b"holds 4 people" in over.content
    assert not MeetingParticipant.objects.filter(meeting_id=m).exists()
    client.post(url("participants_add", d, m), {"persons": everyone[:4], "status": "confirmed"})
    arin = MeetingParticipant.objects.get(meeting_id=m, person=world.persons["arin"])
    client.post(url("participant_status", d, m, arin.pk), {"status": "declined"})
    client.post(url("participants_add", d, m), {"persons": everyone[4:], "status": "invited"})
    back = client.post(
        url("participant_status", d, m, arin.pk), {"status": "confirmed"}, follow=True
    )
    assert b"holds 4 people" in back.content
    arin.refresh_from_db()
    assert arin.status == "declined"
    client.post(url("participant_status", d, m, arin.pk), {"status": "absent"})
    arin.refresh_from_db()
    assert arin.status == "absent"
    future = MeetingParticipant.objects.create(meeting=world.meeting, person=world.persons["bo"])
    early = client.post(
        url("participant_status", d, world.meeting.pk, future.pk),
        {"status": "attended"},
        follow=True,
    )
    assert b"once the meeting has started" in early.content
    bad = client.post(
        url("participant_status", d, m, arin.pk), {"status": "teleported"}, follow=True
    )
    assert b"Choose a valid status" in bad.content


def test_attendance_list_visibility_on_the_meeting_page(world, signed_in):
    MeetingParticipant.objects.create(
        meeting=world.past_meeting, person=world.persons["dane"], status="attended"
    )
    page = url("meeting", world.dialogue.pk, world.past_meeting.pk)
    assert b"Dane Orr" in signed_in(world.users["convener"]).get(page).content
    hidden = signed_in(world.users["participant"]).get(page).content
    assert (
        b"Dane Orr" not in hidden and b"attendance list of this dialogue is confidential" in hidden
    )
    Dialogue.objects.filter(pk=world.dialogue.pk).update(is_attendance_confidential=False)
    assert b"Dane Orr" in signed_in(world.users["participant"]).get(page).content
    assert b"Dane Orr" not in signed_in(world.users["observer"]).get(page).content


def test_private_address_on_the_meeting_page(world, signed_in):
    page = url("meeting", world.dialogue.pk, world.meeting.pk)
    assert b"7 Secret Lane" in signed_in(world.users["convener"]).get(page).content
    for role in ("facilitator", "participant", "observer"):
        assert b"7 Secret Lane" not in signed_in(world.users[role]).get(page).content, role
    MeetingParticipant.objects.create(
        meeting=world.meeting, person=world.persons["arin"], status="attended"
    )
    assert b"7 Secret Lane" in signed_in(world.users["participant"]).get(page).content


def test_venue_form_bad_input(world, signed_in):
    client = signed_in(world.users["convener"])
    before = Venue.objects.count()
    for bad in (
        {"name": "", "kind": "university", "country": "X"},
        {"name": "Hall", "kind": "castle", "country": "X"},
        {"name": "Hall", "kind": "university"},
        {"name": "Hall", "kind": "university", "country": "X", "capacity": "0"},
    ):
        response = client.post(url("venues", world.dialogue.pk), bad)
        assert response.status_code == 200 and b'class="errorlist' in response.content, bad
    assert Venue.objects.count() == before
    ok = client.post(url("venues", world.dialogue.pk), {"name": "Zoom room", "kind": "virtual"})
    assert ok.status_code == 302


def test_detail_page_explains_what_each_role_sees(world, signed_in):
    d = url("detail", world.dialogue.pk)
    convener = signed_in(world.users["convener"]).get(d).content
    assert b"As convener you see everything" in convener and b"Balance dashboard" in convener
    participant = signed_in(world.users["participant"]).get(d).content
    assert b"The members of your own delegation" in participant and b"Bo Tarn" in participant
    assert b"Cyra Vell" not in participant and b"Balance dashboard" not in participant
    observer = signed_in(world.users["observer"]).get(d).content
    assert b"Bo Tarn" not in observer and b"Arin Solvei" not in observer


def test_past_and_future_meetings_listed_for_members(world, signed_in):
    page = signed_in(world.users["observer"]).get(url("meetings", world.dialogue.pk)).content
    assert b"Round 1" in page and b"Round 2" in page
    assert world.meeting.starts_at > timezone.now() + timedelta(days=1)


def test_venue_choice_marks_a_party_country(world, signed_in):
    Venue.objects.create(
        dialogue=world.dialogue,
        name="Port Vell University",
        kind="university",
        city="Port Vell",
        country="Caldera",
        created_by=world.users["convener"],
    )
    page = (
        signed_in(world.users["convener"])
        .get(url("meeting_create", world.dialogue.pk))
        .content.decode()
    )
    assert "Port Vell University (Port Vell, Caldera) — in a party&#x27;s country" in page
    assert "Lakeside Centre (Geneva, Switzerland)</option>" in page


def test_convener_overview_links_to_the_people_pages(world, signed_in):
    page = signed_in(world.users["convener"]).get(url("detail", world.dialogue.pk)).content.decode()
    assert reverse("people:list", args=[world.dialogue.pk]) in page
    assert reverse("people:import", args=[world.dialogue.pk]) in page
    participant = (
        signed_in(world.users["participant"]).get(url("detail", world.dialogue.pk)).content.decode()
    )
    assert reverse("people:list", args=[world.dialogue.pk]) not in participant


def test_facilitator_sees_no_unseated_candidates(world, signed_in):
    page = (
        signed_in(world.users["facilitator"])
        .get(url("meeting", world.dialogue.pk, world.meeting.pk))
        .content
    )
    assert b"Tomas Reyes" in page  # a delegation member may lead an item
    assert b"Eli Unseated" not in page  # a candidate is a convener's matter


def test_track_1_5_official_is_flagged_in_a_personal_capacity(world, signed_in):
    from track2.dialogues import actions
    from track2.meetings import actions as meeting_actions

    Dialogue.objects.filter(pk=world.dialogue.pk).update(track="track1_5")
    world.dialogue.refresh_from_db()
    official = make_person(world.dialogue, "Sera Official", sector=Sector.SERVING_OFFICIAL)
    world.caldera.refresh_from_db()  # its cached dialogue still says Track 2
    actions.do_seat_in_delegation(
        world.users["convener"], Delegation.objects.get(pk=world.caldera.pk), official
    )
    meeting_actions.do_add_participants(world.users["convener"], world.meeting, [official])
    convener = signed_in(world.users["convener"])
    page = convener.get(url("meeting", world.dialogue.pk, world.meeting.pk)).content
    label = b'<span class="status-label">serving official, in a personal capacity</span>'
    assert b"Sera Official " + label in page
    roster = convener.get(url("delegation", world.dialogue.pk, world.caldera.pk)).content
    people = convener.get(reverse("people:list", args=[world.dialogue.pk])).content
    person = convener.get(reverse("people:detail", args=[world.dialogue.pk, official.pk])).content
    for html in (roster, people, person):
        assert html.count(label) == 1  # only the official, one wording everywhere
    overview = signed_in(world.users["participant"]).get(url("detail", world.dialogue.pk)).content
    assert b"Sera Official" in overview and label in overview


def test_meeting_edit_form_shows_the_planned_wall_clock(world, signed_in):
    page = signed_in(world.users["convener"]).get(
        url("meeting_edit", world.dialogue.pk, world.meeting.pk)
    )
    local = world.meeting.starts_at.astimezone(ZoneInfo("Europe/Vienna"))
    assert f'value="{local:%Y-%m-%dT%H:%M}"'.encode() in page.content


def test_venue_delete_refused_while_a_meeting_uses_it(world, signed_in):
    client = signed_in(world.users["convener"])
    used = client.post(url("venue_delete", world.dialogue.pk, world.home.pk), follow=True)
    assert b"takes place at this venue" in used.content
    assert Venue.objects.filter(pk=world.home.pk).exists()
    spare = Venue.objects.create(dialogue=world.dialogue, name="Spare room", kind="virtual")
    assert client.post(url("venue_delete", world.dialogue.pk, spare.pk)).status_code == 302
    assert not Venue.objects.filter(pk=spare.pk).exists()
    other = signed_in(world.users["facilitator"])
    assert other.post(url("venue_delete", world.dialogue.pk, world.venue.pk)).status_code == 404


def test_mark_confirmed_as_attended_after_the_round(world, signed_in):
    client = signed_in(world.users["convener"])
    for key, status in (("arin", "confirmed"), ("bo", "declined"), ("cyra", "confirmed")):
        MeetingParticipant.objects.create(
            meeting=world.past_meeting, person=world.persons[key], status=status
        )
    page = client.get(url("meeting", world.dialogue.pk, world.past_meeting.pk)).content
    assert "Mark everyone still “confirmed” as attended".encode() in page
    done = client.post(
        url("participants_attended", world.dialogue.pk, world.past_meeting.pk), follow=True
    )
    assert b"2 marked as attended." in done.content
    assert dict(
        MeetingParticipant.objects.filter(meeting=world.past_meeting).values_list(
            "person__full_name", "status"
        )
    ) == {"Arin Solvei": "attended", "Bo Tarn": "declined", "Cyra Vell": "attended"}
    MeetingParticipant.objects.create(
        meeting=world.meeting, person=world.persons["arin"], status="confirmed"
    )
    early = client.post(
        url("participants_attended", world.dialogue.pk, world.meeting.pk), follow=True
    )
    assert b"once the meeting has started" in early.content
    assert MeetingParticipant.objects.get(meeting=world.meeting).status == "confirmed"


def test_invited_person_answers_and_then_sees_the_private_address(world, signed_in):
    client = signed_in(world.users["participant"])
    page_url = url("meeting", world.dialogue.pk, world.meeting.pk)
    assert b"Your attendance" not in client.get(page_url).content  # not on the list
    seat = MeetingParticipant.objects.create(meeting=world.meeting, person=world.persons["arin"])
    page = client.get(page_url).content
    assert b"Your attendance" in page and b"I will attend" in page and b"7 Secret Lane" not in page
    answered = client.post(
        url("my_answer", world.dialogue.pk, world.meeting.pk), {"status": "confirmed"}, follow=True
    )
    assert b"now knows that you will attend" in answered.content
    assert b"You have confirmed that you will attend." in answered.content
    assert b"7 Secret Lane" in answered.content
    client.post(url("my_answer", world.dialogue.pk, world.meeting.pk), {"status": "declined"})
    seat.refresh_from_db()
    assert seat.status == "declined"
    bad = client.post(
        url("my_answer", world.dialogue.pk, world.meeting.pk), {"status": "attended"}, follow=True
    )
    assert b"Answer with confirmed or declined" in bad.content
    # someone else on no list cannot answer
    assert (
        signed_in(world.users["facilitator"])
        .post(url("my_answer", world.dialogue.pk, world.meeting.pk), {"status": "confirmed"})
        .status_code
        == 404
    )


def test_answers_close_when_the_meeting_starts_and_respect_capacity(world, signed_in):
    from track2.errors import ActionRefused
    from track2.meetings import actions as meeting_actions

    past = MeetingParticipant.objects.create(
        meeting=world.past_meeting, person=world.persons["arin"]
    )
    page = signed_in(world.users["participant"]).get(
        url("meeting", world.dialogue.pk, world.past_meeting.pk)
    )
    assert b"I will attend" not in page.content
    try:
        meeting_actions.do_answer_meeting_invitation(world.users["participant"], past, "confirmed")
    except ActionRefused as refusal:
        assert "has started" in refusal.message
    else:
        raise AssertionError("an answer after the start was accepted")
    world.venue.capacity = 1
    world.venue.save()
    meeting_actions.do_update_meeting(world.users["convener"], world.meeting, venue=world.venue)
    mine = MeetingParticipant.objects.create(
        meeting=world.meeting, person=world.persons["arin"], status="declined"
    )
    MeetingParticipant.objects.create(
        meeting=world.meeting, person=world.persons["bo"], status="confirmed"
    )
    try:
        meeting_actions.do_answer_meeting_invitation(world.users["participant"], mine, "confirmed")
    except ActionRefused as refusal:
        assert "holds 1 person;" in refusal.message
    else:
        raise AssertionError("a confirmation beyond capacity was accepted")


def test_form_pages_are_titled_with_their_meeting_and_dialogue(world, signed_in):
    """A title says where you are: "Schedule a meeting · Track2" did not say in which
    dialogue, "Edit agenda item · Track2" not of which meeting."""
    client = signed_in(world.users["convener"])
    d, m = world.dialogue.pk, world.meeting.pk
    client.post(url("agenda_add", d, m), {"title": "Opening", "duration_minutes": 30})
    item = AgendaItem.objects.filter(meeting_id=m).get()
    meeting, dialogue = world.meeting.title, world.dialogue.title
    for path, title in (
        (url("meeting_create", d), f"Schedule a meeting · {dialogue} · Track2"),
        (url("meeting_edit", d, m), f"Edit {meeting} · {dialogue} · Track2"),
        (url("agenda_edit", d, m, item.pk), f"Edit agenda item · {meeting} · {dialogue} · Track2"),
        (url("edit", d), f"Edit {dialogue} · Track2"),
    ):
        page = client.get(path).content.decode()
        assert f"<title>{escape(title)}</title>" in page, (path, page[:400])
