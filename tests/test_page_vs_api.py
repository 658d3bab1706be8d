"""Every convener write that has both a page form and an API endpoint, run with the same input
through each, on two fresh worlds: the database ends the same, both accept or both refuse, and
with the same words (issue 9: "actions own their rules"). A rule kept by a view, a form's
choices or an API handler shows up here as a difference.

Each side runs in its own transaction, rolled back afterwards, on a world built the same way
(tests/dialogues/conftest.py); the snapshot names rows by what they say, not by their ids,
which a rolled-back sequence need not reuse.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.db import transaction
from django.utils import timezone

from tests.dialogues.conftest import World, build_world, make_person
from tests.dialogues.test_api import bearer
from tests.helpers import sign_in
from track2.audit.models import AuditEntry
from track2.dialogues.models import Delegation, DelegationMember, Party, Venue
from track2.meetings.models import AgendaItem, Meeting, MeetingParticipant
from track2.people import actions as people_actions
from track2.people.models import Affiliation, Candidacy, CandidacyStep, Person, Sector


def snapshot(world: World) -> dict:
    """What the dialogue holds, by name: every table a convener write touches."""
    d = world.dialogue
    return {
        "parties": sorted(Party.objects.filter(dialogue=d).values_list("name", "country")),
        "delegations": sorted(
            Delegation.objects.filter(dialogue=d).values_list("name", "kind", "party__name")
        ),
        "seats": sorted(
            DelegationMember.objects.filter(dialogue=d).values_list(
                "delegation__name", "person__full_name"
            )
        ),
        "venues": sorted(
            Venue.objects.filter(dialogue=d).values_list(
                "name",
                "kind",
                "city",
                "country",
                "address",
                "is_confidential",
                "capacity",
                "accessibility_notes",
            )
        ),
        "meetings": sorted(
            (
                m.title,
                m.starts_at,
                m.ends_at,
                m.time_zone,
                m.venue.name if m.venue else None,
                m.attribution_mode,
                m.archived_at is not None,
            )
            for m in Meeting.objects.filter(dialogue=d).select_related("venue")
        ),
        "agenda": sorted(
            AgendaItem.objects.filter(meeting__dialogue=d).values_list(
                "meeting__title",
                "position",
                "title",
                "duration_minutes",
                "lead__full_name",
                "description",
            )
        ),
        "participants": sorted(
            MeetingParticipant.objects.filter(meeting__dialogue=d).values_list(
                "meeting__title", "person__full_name", "status"
            )
        ),
        "people": sorted(
            (
                p.full_name,
                p.email,
                p.sector,
                p.country,
                p.pronouns,
                tuple(p.languages),
                tuple(p.expertise),
                p.phone,
                p.gender,
            )
            for p in Person.objects.filter(institution=d.institution)
        ),
        "affiliations": sorted(
            Affiliation.objects.filter(person__institution=d.institution).values_list(
                "person__full_name", "organisation", "position", "is_current"
            )
        ),
        "candidacies": sorted(
            Candidacy.objects.filter(dialogue=d).values_list(
                "person__full_name",
                "status",
                "role",
                "delegation__name",
                "nominated_by",
                "risk_notes",
            )
        ),
        "steps": sorted(
            CandidacyStep.objects.filter(candidacy__dialogue=d).values_list(
                "candidacy__person__full_name", "status", "vouched_by", "notes"
            )
        ),
        # Who did what: the audit trail records the same write the same way from either door.
        "audit": sorted(
            AuditEntry.objects.filter(dialogue=d).values_list("actor_name", "action", "object_type")
        ),
    }


@dataclass
class Outcome:
    accepted: bool
    messages: list[str]
    status: int


def page_outcome(response) -> Outcome:
    """A page refuses by showing its form again with the errors marked (any form of the page),
    or, for a button without a form, by redirecting with an error message."""
    errors: list[str] = []
    context = response.context
    if context is not None:  # a redirect renders no template
        forms = {
            id(context[key]): context[key]
            for key in context.keys()
            if hasattr(context[key], "is_bound") and hasattr(context[key], "errors")
        }
        for form in forms.values():
            if form.is_bound:
                errors += [str(m) for messages in form.errors.values() for m in messages]
        errors += [
            str(context[key])
            for key in ("invite_error", "delete_error")
            if key in context.keys() and context[key]
        ]
    errors += [
        m.message for m in get_messages(response.wsgi_request) if m.level == message_levels.ERROR
    ]
    return Outcome(
        accepted=not errors and response.status_code == 302,
        messages=sorted(errors),
        status=response.status_code,
    )


def api_outcome(response) -> Outcome:
    if response.status_code < 300:
        return Outcome(True, [], response.status_code)
    body = response.json()
    errors = body.get("errors") or [{"message": body["detail"]}]
    return Outcome(
        False, sorted(str(e.get("message", e.get("msg"))) for e in errors), response.status_code
    )


@dataclass
class Case:
    name: str
    page: Callable  # (client, world) -> response
    api: Callable  # (call, world) -> response
    prepare: Callable = field(default=lambda world: None)
    accepted: bool = (
        True  # what both should do: a case that passes by both refusing a valid input proves little
    )
    # False where a page form refuses a blank required field before the action runs, with Django's
    # "This field is required." where the API gives the action's words (see the report on issue 9).
    same_words: bool = True


def _in(days: int, hours: int = 0) -> str:
    moment = (timezone.now() + timedelta(days=days)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )
    return (moment + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M")


def withdraw(key):
    def prepare(world):
        candidacy = Candidacy.objects.get(dialogue=world.dialogue, person=world.persons[key])
        people_actions.do_withdraw(world.users["convener"], candidacy, notes="Stepped back.")

    return prepare


def add_official(world):
    world.persons["sera"] = make_person(
        world.dialogue, "Sera Official", sector=Sector.SERVING_OFFICIAL
    )


def add_nominee(world):
    world.persons["nia"] = people_actions.do_add_person(
        world.users["convener"],
        world.dialogue,
        full_name="Nia Nominee",
        email="nia@example.org",
        sector="academia",
        country="Caldera",
        nominated_by="Prof. Example",
    ).person


def add_directory_entry(world):
    world.persons["dir"] = Person.objects.create(
        institution=world.dialogue.institution,
        full_name="Dir Entry",
        email="dir.entry@example.org",
        sector="academia",
        country="Norland",
    )


def add_empty_delegation(world):
    Delegation.objects.create(
        dialogue=world.dialogue, name="Spare team", kind=Delegation.Kind.FACILITATION
    )


def add_spare_venue(world):
    Venue.objects.create(
        dialogue=world.dialogue, name="Spare Hall", kind="conference_centre", country="Norland"
    )


def both(*preparations):
    def prepare(world):
        for step in preparations:
            step(world)

    return prepare


D = "/dialogues/{d}"
MEETING_FORM = {
    "title": "Round 3",
    "time_zone": "Europe/Vienna",
    "attribution_mode": "chatham_house",
}
VENUE_FORM = {
    "name": "Harbour House",
    "kind": "conference_centre",
    "city": "Oslo",
    "country": "Norway",
    "address": "2 Pier",
    "capacity": 12,
    "accessibility_notes": "Step-free.",
}
PERSON_FORM = {
    "full_name": "Kai Newman",
    "email": "kai@example.org",
    "sector": "academia",
    "country": "Norland",
    "nominated_by": "Dr. Example",
    "role": "participant",
    "organisation": "Sea Institute",
    "position": "Fellow",
    "pronouns": "they/them",
    "phone": "+47 555 0100",
}


def d(world):
    return world.dialogue.pk


def mid(world, which="meeting"):
    return getattr(world, which).pk


def delegation_id(world, name):
    return Delegation.objects.get(dialogue=world.dialogue, name=name).pk


def party_id(world, name):
    return Party.objects.get(dialogue=world.dialogue, name=name).pk


def venue_id(world, name):
    return Venue.objects.get(dialogue=world.dialogue, name=name).pk


def person_id(world, name):
    return Person.objects.get(institution=world.dialogue.institution, full_name=name).pk


def item_id(world):
    return AgendaItem.objects.get(meeting=world.meeting, title="Opening").pk


def participant_id(world, key="arin"):
    return MeetingParticipant.objects.get(meeting=world.meeting, person=world.persons[key]).pk


def add_agenda(world):
    from track2.meetings import actions as meeting_actions

    meeting_actions.do_add_agenda_item(
        world.users["convener"], world.meeting, title="Opening", duration_minutes=30
    )


def add_arin_to_meeting(world):
    MeetingParticipant.objects.create(meeting=world.meeting, person=world.persons["arin"])


def party_cases():
    form = {"name": "Kingdom of Norland", "country": "Norland", "with_delegation": True}
    dup = {"name": "federation of ostrava", "country": "Ostrava"}
    return [
        Case(
            "party add",
            lambda c, w: c.post(f"/dialogues/{d(w)}/parties/", form),
            lambda api, w: api("post", f"/dialogues/{d(w)}/parties", form),
        ),
        Case(
            "party add: duplicate name",
            lambda c, w: c.post(f"/dialogues/{d(w)}/parties/", dup),
            lambda api, w: api("post", f"/dialogues/{d(w)}/parties", dup),
            accepted=False,
        ),
        Case(
            "party add: no name",
            lambda c, w: c.post(f"/dialogues/{d(w)}/parties/", {"name": "   "}),
            lambda api, w: api("post", f"/dialogues/{d(w)}/parties", {"name": "   "}),
            accepted=False,
            same_words=False,
        ),
        Case(
            "party remove",
            lambda c, w: c.post(f"/dialogues/{d(w)}/parties/{party_id(w, 'Norland')}/remove/"),
            lambda api, w: api("delete", f"/dialogues/{d(w)}/parties/{party_id(w, 'Norland')}"),
            prepare=lambda w: Party.objects.create(dialogue=w.dialogue, name="Norland"),
        ),
        Case(
            "party remove: has a delegation",
            lambda c, w: c.post(
                f"/dialogues/{d(w)}/parties/{party_id(w, 'Federation of Ostrava')}/remove/"
            ),
            lambda api, w: api(
                "delete", f"/dialogues/{d(w)}/parties/{party_id(w, 'Federation of Ostrava')}"
            ),
            accepted=False,
        ),
    ]


def delegation_cases():
    def create(body):
        page = {k: v for k, v in body.items() if k != "party_id"}
        return (
            lambda c, w: c.post(f"/dialogues/{d(w)}/delegations/", page),
            lambda api, w: api("post", f"/dialogues/{d(w)}/delegations", body),
        )

    def with_party(name, party):
        return (
            lambda c, w: c.post(
                f"/dialogues/{d(w)}/delegations/",
                {"name": name, "kind": "side", "party": party_id(w, party)},
            ),
            lambda api, w: api(
                "post",
                f"/dialogues/{d(w)}/delegations",
                {"name": name, "kind": "side", "party_id": party_id(w, party)},
            ),
        )

    def rename(name):
        return (
            lambda c, w: c.post(
                f"/dialogues/{d(w)}/delegations/{w.caldera.pk}/",
                {"rename": "1", "name": name, "party": w.caldera.party_id},
            ),
            lambda api, w: api(
                "patch", f"/dialogues/{d(w)}/delegations/{w.caldera.pk}", {"name": name}
            ),
        )

    def delete(name):
        return (
            lambda c, w: c.post(f"/dialogues/{d(w)}/delegations/{delegation_id(w, name)}/delete/"),
            lambda api, w: api("delete", f"/dialogues/{d(w)}/delegations/{delegation_id(w, name)}"),
        )

    def add_lone_party(world):
        Party.objects.create(dialogue=world.dialogue, name="Norland", country="Norland")

    return [
        Case("delegation create", *with_party("Norland side", "Norland"), prepare=add_lone_party),
        Case(
            "delegation create: duplicate name",
            *create({"name": "FACILITATORS", "kind": "facilitation"}),
            accepted=False,
        ),
        Case(
            "delegation create: party already has one",
            *with_party("Second Caldera", "Federation of Ostrava"),
            accepted=False,
        ),
        Case(
            "delegation create: side without party",
            *create({"name": "Lost side", "kind": "side"}),
            accepted=False,
        ),
        Case("delegation rename", *rename("Caldera team")),
        Case("delegation rename: duplicate name", *rename("Facilitators"), accepted=False),
        Case("delegation delete", *delete("Spare team"), prepare=add_empty_delegation),
        Case("delegation delete: has members", *delete("Facilitators"), accepted=False),
    ]


def seat_cases():
    def seat(key, delegation="caldera"):
        return (
            lambda c, w: c.post(
                f"/dialogues/{d(w)}/delegations/{getattr(w, delegation).pk}/",
                {"seat": "1", "person": w.persons[key].pk},
            ),
            lambda api, w: api(
                "post",
                f"/dialogues/{d(w)}/delegations/{getattr(w, delegation).pk}/seats",
                {"person_id": w.persons[key].pk},
            ),
        )

    return [
        Case("seat", *seat("eli")),
        Case("seat: withdrawn candidate", *seat("eli"), prepare=withdraw("eli"), accepted=False),
        Case(
            "seat: serving official in a Track 2 dialogue",
            *seat("sera"),
            prepare=add_official,
            accepted=False,
        ),
        Case("seat: already in another delegation", *seat("cyra"), accepted=False),
        Case("seat: already in this delegation", *seat("bo"), accepted=False),
    ]


def venue_cases():
    def create(body):
        return (
            lambda c, w: c.post(f"/dialogues/{d(w)}/venues/", body),
            lambda api, w: api("post", f"/dialogues/{d(w)}/venues", body),
        )

    def edit(body):
        return (
            lambda c, w: c.post(f"/dialogues/{d(w)}/venues/{w.venue.pk}/edit/", body),
            lambda api, w: api("patch", f"/dialogues/{d(w)}/venues/{w.venue.pk}", body),
        )

    def delete(name):
        return (
            lambda c, w: c.post(f"/dialogues/{d(w)}/venues/{venue_id(w, name)}/delete/"),
            lambda api, w: api("delete", f"/dialogues/{d(w)}/venues/{venue_id(w, name)}"),
        )

    full = {**VENUE_FORM, "name": "Lakeside Centre II", "is_confidential": False}
    return [
        Case("venue create", *create(VENUE_FORM)),
        Case(
            "venue create: no country, capacity 0",
            *create({**VENUE_FORM, "country": "", "capacity": 0}),
            accepted=False,
        ),
        Case("venue update", *edit(full)),
        Case(
            "venue update: no name", *edit({**full, "name": " "}), accepted=False, same_words=False
        ),
        Case("venue delete", *delete("Spare Hall"), prepare=add_spare_venue),
        Case("venue delete: a meeting uses it", *delete("Lakeside Centre"), accepted=False),
    ]


def meeting_cases():
    def create(body):
        page = {**body, "venue": ""}
        return (
            lambda c, w: c.post(f"/dialogues/{d(w)}/meetings/new/", page),
            lambda api, w: api("post", f"/dialogues/{d(w)}/meetings", body),
        )

    def edit(body):
        return (
            lambda c, w: c.post(
                f"/dialogues/{d(w)}/meetings/{mid(w)}/edit/", {**body, "venue": w.venue.pk}
            ),
            lambda api, w: api(
                "patch", f"/dialogues/{d(w)}/meetings/{mid(w)}", {**body, "venue_id": w.venue.pk}
            ),
        )

    def delete(which):
        return (
            lambda c, w: c.post(f"/dialogues/{d(w)}/meetings/{mid(w, which)}/delete/"),
            lambda api, w: api("delete", f"/dialogues/{d(w)}/meetings/{mid(w, which)}"),
        )

    def archive(which):
        return (
            lambda c, w: c.post(
                f"/dialogues/{d(w)}/meetings/{mid(w, which)}/archive/", {"archived": "1"}
            ),
            lambda api, w: api(
                "patch", f"/dialogues/{d(w)}/meetings/{mid(w, which)}", {"is_archived": True}
            ),
        )

    valid = {**MEETING_FORM, "starts_at": _in(40), "ends_at": _in(40, 3)}
    backwards = {**MEETING_FORM, "starts_at": _in(40, 3), "ends_at": _in(40)}
    return [
        Case("meeting create", *create(valid)),
        Case("meeting create: ends before it starts", *create(backwards), accepted=False),
        Case(
            "meeting create: no title, ends before it starts",
            *create({**backwards, "title": "  "}),
            accepted=False,
            same_words=False,
        ),
        Case("meeting update", *edit({**valid, "title": "Round 2 (moved)"})),
        Case("meeting update: ends before it starts", *edit(backwards), accepted=False),
        Case(
            "meeting update: venue too small for its participants",
            *edit({**valid, "title": "Round 2"}),
            prepare=lambda w: [
                MeetingParticipant.objects.create(meeting=w.meeting, person=w.persons[k])
                for k in ("arin", "bo", "cyra", "dane", "tomas")
            ],
            accepted=False,
        ),
        Case("meeting delete", *delete("meeting")),
        Case("meeting delete: already held", *delete("past_meeting"), accepted=False),
        Case("meeting archive", *archive("past_meeting")),
        Case("meeting archive: not held yet", *archive("meeting"), accepted=False),
    ]


def agenda_cases():
    base = "/dialogues/{d}/meetings/{m}/agenda"

    def url(w, tail=""):
        return base.format(d=d(w), m=mid(w)) + tail

    def add(body, lead=None):
        def page(c, w):
            return c.post(url(w, "/"), {**body, "lead": w.persons[lead].pk if lead else ""})

        def api_call(api, w):
            return api(
                "post", url(w), {**body, **({"lead_id": w.persons[lead].pk} if lead else {})}
            )

        return page, api_call

    def edit(body):
        return (
            lambda c, w: c.post(url(w, f"/{item_id(w)}/edit/"), {**body, "lead": ""}),
            lambda api, w: api("patch", url(w, f"/{item_id(w)}"), body),
        )

    return [
        Case(
            "agenda add",
            *add(
                {"title": "Fisheries data", "duration_minutes": 45, "description": "Two\nlines"},
                lead="cyra",
            ),
        ),
        Case(
            "agenda add: no title",
            *add({"title": " ", "duration_minutes": 45}),
            accepted=False,
            same_words=False,
        ),
        Case(
            "agenda add: lead not seated",
            *add({"title": "Press", "duration_minutes": 10}, lead="eli"),
            accepted=False,
        ),
        Case(
            "agenda update",
            *edit({"title": "Opening words", "duration_minutes": 20, "description": ""}),
            prepare=add_agenda,
        ),
        Case(
            "agenda update: no title",
            *edit({"title": "  ", "duration_minutes": 20, "description": ""}),
            prepare=add_agenda,
            accepted=False,
            same_words=False,
        ),
    ]


def participant_cases():
    def url(w, tail=""):
        return f"/dialogues/{d(w)}/meetings/{mid(w)}/participants{tail}"

    def add(keys, status="invited"):
        return (
            lambda c, w: c.post(
                url(w, "/"), {"persons": [w.persons[k].pk for k in keys], "status": status}
            ),
            lambda api, w: api(
                "post",
                url(w),
                {"person_ids": [w.persons[k].pk for k in keys], "status": status, "notify": False},
            ),
        )

    def mark(status):
        return (
            lambda c, w: c.post(url(w, f"/{participant_id(w)}/"), {"status": status}),
            lambda api, w: api("patch", url(w, f"/{participant_id(w)}"), {"status": status}),
        )

    return [
        Case("participants add", *add(["arin", "cyra"], "confirmed")),
        Case("participants add: not in a delegation", *add(["eli"]), accepted=False),
        Case(
            "participants add: already on the list",
            *add(["arin", "bo"]),
            prepare=add_arin_to_meeting,
            accepted=False,
        ),
        Case("participant status", *mark("confirmed"), prepare=add_arin_to_meeting),
        Case(
            "participant status: attended before it starts",
            *mark("attended"),
            prepare=add_arin_to_meeting,
            accepted=False,
        ),
    ]


def people_cases():
    def add(body):
        api_body = {**body}
        return (
            lambda c, w: c.post(f"/dialogues/{d(w)}/people/add/", body),
            lambda api, w: api("post", f"/dialogues/{d(w)}/people", api_body),
        )

    def nominate(email):
        body = {"email": email, "nominated_by": "Dr. Example", "role": "participant"}
        return (
            lambda c, w: c.post(f"/dialogues/{d(w)}/people/nominate/", body),
            lambda api, w: api("post", f"/dialogues/{d(w)}/people/nominate", body),
        )

    def on_person(verb, name, body):
        return (
            lambda c, w: c.post(f"/dialogues/{d(w)}/people/{person_id(w, name)}/{verb}/", body),
            lambda api, w: api(
                "post", f"/dialogues/{d(w)}/people/{person_id(w, name)}/{verb}", body
            ),
        )

    return [
        Case("person add", *add(PERSON_FORM)),
        Case(
            "person add: e-mail already a candidate's",
            *add({**PERSON_FORM, "email": "bo.tarn@example.org"}),
            accepted=False,
        ),
        Case(
            "person add: serving official in a Track 2 dialogue",
            *add({**PERSON_FORM, "sector": Sector.SERVING_OFFICIAL}),
            accepted=False,
        ),
        Case(
            "person add: position without organisation, no name",
            *add({**PERSON_FORM, "organisation": "", "full_name": " "}),
            accepted=False,
            same_words=False,
        ),
        Case("person nominate", *nominate("dir.entry@example.org"), prepare=add_directory_entry),
        Case(
            "person nominate: already a candidate", *nominate("bo.tarn@example.org"), accepted=False
        ),
        Case(
            "person nominate: not in the directory", *nominate("nobody@example.org"), accepted=False
        ),
        Case(
            "person vet",
            *on_person("vet", "Nia Nominee", {"vouched_by": "Amb. Voucher", "notes": "Known."}),
            prepare=add_nominee,
        ),
        Case(
            "person vet: not nominated",
            *on_person("vet", "Bo Tarn", {"vouched_by": "Amb. Voucher"}),
            accepted=False,
        ),
        Case(
            "person vet: withdrawn",
            *on_person("vet", "Eli Unseated", {"vouched_by": "Amb. Voucher"}),
            prepare=withdraw("eli"),
            accepted=False,
        ),
        Case("person withdraw", *on_person("withdraw", "Eli Unseated", {"notes": "Unavailable."})),
        Case(
            "person renominate",
            *on_person("renominate", "Eli Unseated", {"nominated_by": "Dr. Again", "notes": ""}),
            prepare=withdraw("eli"),
        ),
        Case(
            "person renominate: still in the running",
            *on_person("renominate", "Eli Unseated", {"nominated_by": "Dr. Again", "notes": ""}),
            accepted=False,
        ),
        Case(
            "person invite: not vetted",
            *on_person("invite", "Nia Nominee", {}),
            prepare=add_nominee,
            accepted=False,
        ),
        Case(
            "person invite",
            *on_person("invite", "Nia Nominee", {}),
            prepare=both(
                add_nominee,
                lambda w: people_actions.do_vet(
                    w.users["convener"],
                    Candidacy.objects.get(person=w.persons["nia"]),
                    vouched_by="Amb. V",
                ),
            ),
        ),
        Case(
            "person delete",
            lambda c, w: c.post(f"/dialogues/{d(w)}/people/{person_id(w, 'Nia Nominee')}/delete/"),
            lambda api, w: api("delete", f"/dialogues/{d(w)}/people/{person_id(w, 'Nia Nominee')}"),
            prepare=add_nominee,
        ),
        Case(
            "person delete: seated",
            lambda c, w: c.post(f"/dialogues/{d(w)}/people/{person_id(w, 'Bo Tarn')}/delete/"),
            lambda api, w: api("delete", f"/dialogues/{d(w)}/people/{person_id(w, 'Bo Tarn')}"),
            accepted=False,
        ),
        Case(
            "person withdraw: already withdrawn",
            *on_person("withdraw", "Eli Unseated", {"notes": ""}),
            prepare=withdraw("eli"),
            accepted=False,
        ),
    ]


CASES = (
    party_cases()
    + delegation_cases()
    + seat_cases()
    + venue_cases()
    + meeting_cases()
    + agenda_cases()
    + participant_cases()
    + people_cases()
)


@pytest.fixture
def run_on_fresh_world(client, make_user, institution, monkeypatch):
    """Build a world, run one door of a case in it, snapshot, and roll everything back."""
    # Both worlds' meetings are scheduled from the same "now", so that their times compare equal.
    built_at = timezone.now().replace(second=0, microsecond=0)
    monkeypatch.setattr("tests.dialogues.conftest.timezone", SimpleNamespace(now=lambda: built_at))

    def run(case: Case, door: str):
        with transaction.atomic():
            world = build_world(make_user, institution)
            case.prepare(world)
            client.logout()
            if door == "page":
                sign_in(client, world.users["convener"])
                outcome = page_outcome(case.page(client, world))
            else:
                headers = bearer(world.users["convener"])

                def call(method, path, json=None):
                    return getattr(client, method)(
                        f"/api/v1{path}", data=json, content_type="application/json", **headers
                    )

                outcome = api_outcome(case.api(call, world))
            state = snapshot(world)
            transaction.set_rollback(True)
        client.logout()
        return outcome, state

    return run


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_page_and_api_agree(case, run_on_fresh_world):
    page, page_state = run_on_fresh_world(case, "page")
    api, api_state = run_on_fresh_world(case, "api")
    assert page.accepted == case.accepted, (page, "page")
    assert api.accepted == case.accepted, (api, "api")
    if case.same_words:
        assert page.messages == api.messages
    else:
        assert page.messages and api.messages
    assert page_state == api_state
