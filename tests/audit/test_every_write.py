"""Every write of a convener, facilitator or rapporteur leaves one entry — who, what, which
object, which fields, when — written in the write's own transaction: a refused write leaves
none. The list below names every `do_*` that takes `by`; a test fails when one is added
without being listed here."""

from __future__ import annotations

import inspect
from datetime import timedelta

import pytest
from django.utils import timezone

from track2.audit.models import AuditEntry
from track2.audit.queries import ACTIONS, OBJECT_TYPES
from track2.dialogues import actions, role_actions, venue_actions
from track2.dialogues.models import Delegation, Membership, Party
from track2.errors import ActionRefused
from track2.meetings import actions as meeting_actions
from track2.meetings.models import MeetingParticipant
from track2.people import actions as people_actions
from track2.people import roster
from track2.people.models import Candidacy

from ..dialogues.conftest import make_person


def _nominated(world, name="Nia Nominee"):
    person = make_person(world.dialogue, name)
    Candidacy.objects.filter(person=person).update(status=Candidacy.Status.NOMINATED)
    return Candidacy.objects.get(person=person)


def _vetted(world, name="Vera Vetted"):
    candidacy = _nominated(world, name)
    people_actions.do_vet(world.users["convener"], candidacy, vouched_by="Dr V")
    return Candidacy.objects.get(pk=candidacy.pk)


def _party(world):
    return actions.do_add_party(world.users["convener"], world.dialogue, name="Third Party")


def _item(world):
    return meeting_actions.do_add_agenda_item(
        world.users["convener"], world.meeting, title="Opening", duration_minutes=20
    )


def _participant(world, person="bo"):
    return meeting_actions.do_add_participants(
        world.users["convener"], world.meeting, [world.persons[person]]
    )[0]


def _past_confirmed(world):
    return meeting_actions.do_add_participants(
        world.users["convener"],
        world.past_meeting,
        [world.persons["bo"]],
        MeetingParticipant.Status.CONFIRMED,
    )[0]


BASE = "https://track2.example"
# name: (prepare(world) -> context, write(by, world, context), expected (action, object_type), fields)
WRITES = {
    "do_create_dialogue": (
        lambda w: None,
        lambda by, w, c: actions.do_create_dialogue(by, title="New series"),
        ("create", "dialogue"),
        {"title"},
    ),
    "do_update_dialogue": (
        lambda w: None,
        lambda by, w, c: actions.do_update_dialogue(
            by, w.dialogue, title="Renamed", purpose=w.dialogue.purpose
        ),
        ("update", "dialogue"),
        {"title"},
    ),
    "do_add_party": (
        lambda w: None,
        lambda by, w, c: actions.do_add_party(by, w.dialogue, name="Third Party"),
        ("create", "party"),
        {"name", "country"},
    ),
    "do_remove_party": (
        _party,
        lambda by, w, c: actions.do_remove_party(by, c),
        ("delete", "party"),
        set(),
    ),
    "do_invite_to_role": (
        lambda w: None,
        lambda by, w, c: role_actions.do_invite_to_role(
            by, w.dialogue, email="offered@example.org", role="observer", base_url=BASE
        ),
        ("invite", "roleinvitation"),
        {"role", "sent_to"},
    ),
    "do_cancel_role_invitation": (
        lambda w: role_actions.do_invite_to_role(
            w.users["convener"],
            w.dialogue,
            email="offered@example.org",
            role="observer",
            base_url=BASE,
        )[0],
        lambda by, w, c: role_actions.do_cancel_role_invitation(by, c),
        ("cancel", "roleinvitation"),
        {"revoked_at"},
    ),
    "do_revoke_role": (
        lambda w: Membership.objects.get(dialogue=w.dialogue, user=w.users["observer"]),
        lambda by, w, c: actions.do_revoke_role(by, c),
        ("revoke", "membership"),
        {"role"},
    ),
    "do_create_delegation": (
        _party,
        lambda by, w, c: actions.do_create_delegation(
            by, w.dialogue, name="Third delegation", kind="side", party=c
        ),
        ("create", "delegation"),
        {"name", "kind", "party"},
    ),
    "do_update_delegation": (
        lambda w: None,
        lambda by, w, c: actions.do_update_delegation(
            by, w.caldera, name="Caldera team", party=w.caldera.party
        ),
        ("update", "delegation"),
        {"name"},
    ),
    "do_delete_delegation": (
        lambda w: actions.do_create_delegation(
            w.users["convener"], w.dialogue, name="Spare", kind=Delegation.Kind.FACILITATION
        ),
        lambda by, w, c: actions.do_delete_delegation(by, c),
        ("delete", "delegation"),
        set(),
    ),
    "do_seat_in_delegation": (
        lambda w: None,
        lambda by, w, c: actions.do_seat_in_delegation(by, w.caldera, w.persons["eli"]),
        ("seat", "delegationmember"),
        {"delegation"},
    ),
    "do_unseat": (
        lambda w: w.caldera.members.get(person=w.persons["bo"]),
        lambda by, w, c: actions.do_unseat(by, c),
        ("unseat", "delegationmember"),
        {"delegation"},
    ),
    "do_create_venue": (
        lambda w: None,
        lambda by, w, c: venue_actions.do_create_venue(
            by, w.dialogue, name="Hall", kind="university", country="Norland"
        ),
        ("create", "venue"),
        {"name", "kind"},
    ),
    "do_update_venue": (
        lambda w: None,
        lambda by, w, c: venue_actions.do_update_venue(by, w.venue, city="Bern"),
        ("update", "venue"),
        {"city"},
    ),
    "do_delete_venue": (
        lambda w: venue_actions.do_create_venue(
            w.users["convener"], w.dialogue, name="Spare", kind="virtual"
        ),
        lambda by, w, c: venue_actions.do_delete_venue(by, c),
        ("delete", "venue"),
        set(),
    ),
    "do_create_meeting": (
        lambda w: None,
        lambda by, w, c: meeting_actions.do_create_meeting(
            by,
            w.dialogue,
            title="Round 3",
            starts_at=timezone.now() + timedelta(days=60),
            ends_at=timezone.now() + timedelta(days=60, hours=2),
            time_zone="UTC",
        ),
        ("create", "meeting"),
        {"title", "starts_at", "ends_at", "time_zone", "venue", "attribution_mode"},
    ),
    "do_update_meeting": (
        lambda w: None,
        lambda by, w, c: meeting_actions.do_update_meeting(
            by, w.meeting, title="Round 2 (moved)", venue=w.venue
        ),
        ("update", "meeting"),
        {"title", "venue"},
    ),
    "do_delete_meeting": (
        lambda w: None,
        lambda by, w, c: meeting_actions.do_delete_meeting(by, w.meeting),
        ("delete", "meeting"),
        set(),
    ),
    "do_archive_meeting": (
        lambda w: None,
        lambda by, w, c: meeting_actions.do_archive_meeting(by, w.past_meeting),
        ("archive", "meeting"),
        {"archived_at"},
    ),
    "do_add_agenda_item": (
        lambda w: None,
        lambda by, w, c: _item(w),
        ("create", "agendaitem"),
        {"title", "duration_minutes", "description", "lead"},
    ),
    "do_update_agenda_item": (
        _item,
        lambda by, w, c: meeting_actions.do_update_agenda_item(by, c, duration_minutes=45),
        ("update", "agendaitem"),
        {"duration_minutes"},
    ),
    "do_delete_agenda_item": (
        _item,
        lambda by, w, c: meeting_actions.do_delete_agenda_item(by, c),
        ("delete", "agendaitem"),
        set(),
    ),
    "do_move_agenda_item": (
        lambda w: (
            _item(w),
            meeting_actions.do_add_agenda_item(
                w.users["convener"], w.meeting, title="Second", duration_minutes=10
            ),
        )[1],
        lambda by, w, c: meeting_actions.do_move_agenda_item(by, c, "up"),
        ("move", "agendaitem"),
        {"position"},
    ),
    "do_add_participants": (
        lambda w: None,
        lambda by, w, c: _participant(w),
        ("add", "meetingparticipant"),
        {"status"},
    ),
    "do_set_participant_status": (
        _participant,
        lambda by, w, c: meeting_actions.do_set_participant_status(by, c, "confirmed"),
        ("status", "meetingparticipant"),
        {"status"},
    ),
    "do_record_confirmed_as_attended": (
        _past_confirmed,
        lambda by, w, c: meeting_actions.do_record_confirmed_as_attended(by, w.past_meeting),
        ("status", "meetingparticipant"),
        {"status"},
    ),
    "do_remove_participant": (
        _participant,
        lambda by, w, c: meeting_actions.do_remove_participant(by, c),
        ("remove", "meetingparticipant"),
        set(),
    ),
    "do_add_person": (
        lambda w: None,
        lambda by, w, c: people_actions.do_add_person(
            by,
            w.dialogue,
            full_name="Ada New",
            email="ada@example.org",
            sector="academia",
            country="Caldera",
            nominated_by="Dr N",
            phone="+1 555",
        ),
        ("add", "person"),
        {"full_name", "email", "phone", "nominated_by"},
    ),
    "do_nominate_existing": (
        lambda w: None,
        lambda by, w, c: people_actions.do_nominate_existing(
            by, actions.do_create_dialogue(by, title="Sister"), w.persons["bo"], nominated_by="Dr N"
        ),
        ("nominate", "candidacy"),
        {"nominated_by", "role"},
    ),
    "do_nominate_by_email": (
        lambda w: None,
        lambda by, w, c: people_actions.do_nominate_by_email(
            by,
            actions.do_create_dialogue(by, title="Sister"),
            email=w.persons["bo"].email,
            nominated_by="Dr N",
        ),
        ("nominate", "candidacy"),
        {"nominated_by", "role"},
    ),
    "do_update_person": (
        lambda w: None,
        lambda by, w, c: people_actions.do_update_person(
            by, w.persons["bo"], phone="+1 555 0100", country="Caldera"
        ),
        ("update", "person"),
        {"phone"},
    ),
    "do_set_affiliations": (
        lambda w: None,
        lambda by, w, c: people_actions.do_set_affiliations(
            by, w.persons["bo"], [{"organisation": "Univ", "is_current": True}]
        ),
        ("update", "person"),
        {"affiliations"},
    ),
    "do_vet": (
        _nominated,
        lambda by, w, c: people_actions.do_vet(by, c, vouched_by="Dr V"),
        ("vet", "candidacy"),
        {"status"},
    ),
    "do_invite": (
        _vetted,
        lambda by, w, c: people_actions.do_invite(by, c, base_url=BASE),
        ("invite", "candidacy"),
        {"status"},
    ),
    "do_invite_all_vetted": (
        _vetted,
        lambda by, w, c: people_actions.do_invite_all_vetted(by, w.dialogue, base_url=BASE),
        ("invite", "candidacy"),
        {"status"},
    ),
    "do_withdraw": (
        _nominated,
        lambda by, w, c: people_actions.do_withdraw(by, c),
        ("withdraw", "candidacy"),
        {"status"},
    ),
    "do_renominate": (
        lambda w: people_actions.do_withdraw(w.users["convener"], _nominated(w)),
        lambda by, w, c: people_actions.do_renominate(by, c, nominated_by="Dr R"),
        ("renominate", "candidacy"),
        {"status", "nominated_by"},
    ),
    "do_update_candidacy": (
        _nominated,
        lambda by, w, c: people_actions.do_update_candidacy(
            by, c, role="observer", delegation=None
        ),
        ("update", "candidacy"),
        {"role"},
    ),
    "do_set_risk_notes": (
        _nominated,
        lambda by, w, c: people_actions.do_set_risk_notes(by, c, "careful"),
        ("update", "candidacy"),
        {"risk_notes"},
    ),
    "do_delete_person": (
        _nominated,
        lambda by, w, c: people_actions.do_delete_person(by, c),
        ("delete", "person"),
        set(),
    ),
    "do_import_roster": (
        lambda w: None,
        lambda by, w, c: roster.do_import_roster(
            by,
            w.dialogue,
            "full_name,email,sector,country,nominated_by\nIra Import,ira@example.org,media,Caldera,Dr I\n",
        ),
        ("add", "person"),
        {"full_name", "email", "sector", "country", "nominated_by"},
    ),
}


def test_every_write_with_an_author_is_listed():
    modules = (actions, venue_actions, meeting_actions, role_actions, people_actions, roster)
    writes = {
        name
        for m in modules
        for name, f in inspect.getmembers(m, inspect.isfunction)
        if name.startswith("do_")
        and f.__module__ == m.__name__
        and next(iter(inspect.signature(f).parameters)) == "by"
    }
    assert writes == set(WRITES)


@pytest.mark.parametrize("name", sorted(WRITES))
def test_each_write_records_who_what_and_when(world, name):
    prepare, write, (action, object_type), fields = WRITES[name]
    context = prepare(world)
    by = world.users["convener"]
    before = set(AuditEntry.objects.values_list("pk", flat=True))
    started = timezone.now()
    write(by, world, context)
    new = AuditEntry.objects.exclude(pk__in=before).filter(action=action, object_type=object_type)
    assert new.exists(), name
    entry = new.latest("at")
    # What the Changes page says of it is words, and a reader may filter on its kind.
    assert action in ACTIONS and object_type in OBJECT_TYPES, name
    assert entry.actor == by and entry.actor_name == by.email
    assert started <= entry.at <= timezone.now()
    assert fields <= set(entry.fields), (name, entry.fields)
    if name not in (
        "do_update_person",
        "do_set_affiliations",
        "do_create_dialogue",
        "do_nominate_existing",
        "do_nominate_by_email",
    ):
        assert entry.dialogue_id == world.dialogue.pk, name


def test_a_refused_write_leaves_no_entry(world):
    count = AuditEntry.objects.count()
    with pytest.raises(ActionRefused):
        meeting_actions.do_update_meeting(world.users["convener"], world.meeting, title="")
    with pytest.raises(ActionRefused):
        actions.do_add_party(
            world.users["convener"], world.dialogue, name=Party.objects.first().name
        )
    assert AuditEntry.objects.count() == count


def test_entries_are_never_edited(world):
    entry = AuditEntry.objects.first()
    entry.action = "forged"
    with pytest.raises(ValueError, match="never edited"):
        entry.save()
    with pytest.raises(ValueError, match="never deleted"):
        entry.delete()


def test_the_participants_own_answer_and_reads_are_not_recorded(world, signed_in):
    seat = _participant(world, "arin")
    count = AuditEntry.objects.count()
    meeting_actions.do_answer_meeting_invitation(world.users["participant"], seat, "confirmed")
    client = signed_in(world.users["convener"])
    from django.urls import reverse

    client.get(reverse("dialogues:meeting", args=[world.dialogue.pk, world.meeting.pk]))
    client.get(reverse("audit:changes", args=[world.dialogue.pk]))
    assert AuditEntry.objects.count() == count
