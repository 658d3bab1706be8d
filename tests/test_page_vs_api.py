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
from track2.deliberation.models import Statement
from track2.dialogues.models import Delegation, DelegationMember, Party, Venue
from track2.facilitation.models import CaucusPoll
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
            str(message)
            for key in ("invite_errors", "delete_errors", "errors")
            if key in context.keys() and context[key]
            for message in context[key]
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


def through(client, door: str, actor, case: Case, world) -> Outcome:
    """Run one door of a case as `actor`: the page signed in, or the API with a bearer token."""
    client.logout()
    if door == "page":
        sign_in(client, actor)
        return page_outcome(case.page(client, world))
    headers = bearer(actor)

    def call(method, path, json=None):
        return getattr(client, method)(
            f"/api/v1{path}", data=json, content_type="application/json", **headers
        )

    return api_outcome(case.api(call, world))


def agree(case: Case, run) -> None:
    """Both doors accept or both refuse, with the same words, leaving the same state."""
    page, page_state = run(case, "page")
    api, api_state = run(case, "api")
    assert page.accepted == case.accepted, (page, "page")
    assert api.accepted == case.accepted, (api, "api")
    if case.same_words:
        assert page.messages == api.messages
    else:
        assert page.messages and api.messages
    assert page_state == api_state


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
            outcome = through(client, door, world.users["convener"], case, world)
            state = snapshot(world)
            transaction.set_rollback(True)
        client.logout()
        return outcome, state

    return run


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_page_and_api_agree(case, run_on_fresh_world):
    agree(case, run_on_fresh_world)


# --- the floor, caucus rooms and the record (issue 11) ---------------------------------------
#
# The same pattern on the facilitation world (tests/deliberation/conftest.py's room with a
# two-item agenda): each case names who acts, since the floor's writers are facilitators,
# participants present and rapporteurs, not the convener.


def floor_snapshot(world) -> dict:
    """What the meeting's floor, caucuses and record hold, by name (no times, no ids)."""
    from track2 import keyring
    from track2.facilitation.models import (
        Caucus,
        CaucusAnswer,
        CaucusNote,
        CaucusPoll,
        CaucusStatement,
        CaucusVote,
        Floor,
        Hand,
        ItemInterval,
        RecordComment,
        RecordNote,
        RecordVersion,
        SpeakingTotal,
        Turn,
    )

    m = world.meeting
    floor = Floor.objects.filter(meeting=m).select_related("current_item").first()
    texts = dict(Statement.objects.filter(meeting=m).values_list("id", "text"))
    voters = {
        keyring.pseudonym(world.dialogue.pk, person.pk): person.full_name
        for person in world.persons.values()
    }
    return {
        "floor": None
        if floor is None
        else (
            floor.current_item.title if floor.current_item else None,
            floor.turn_limit_seconds,
            floor.closed_at is not None,
            floor.caucus_break_until is not None,
        ),
        "intervals": sorted(
            (i.item.title, i.ended_at is None)
            for i in ItemInterval.objects.filter(meeting=m).select_related("item")
        ),
        "queue": [
            (h.person.full_name, h.delegation.name if h.delegation else None, h.is_direct_response)
            for h in Hand.objects.filter(meeting=m)
            .select_related("person", "delegation")
            .order_by("position")
        ],
        "turns": sorted(
            (t.person.full_name, t.agenda_item.title if t.agenda_item else None, t.ended_at is None)
            for t in Turn.objects.filter(meeting=m).select_related("person", "agenda_item")
        ),
        "totals": sorted(
            SpeakingTotal.objects.filter(meeting=m).values_list(
                "delegation__name", "agenda_item__title", "turns", "present"
            ),
            key=str,
        ),
        "caucuses": sorted(
            Caucus.objects.filter(meeting=m).values_list(
                "delegation__name", "are_facilitators_invited"
            )
        ),
        "caucus_notes": sorted(
            (n.caucus.delegation.name, n.text, n.held_for_id is not None)
            for n in CaucusNote.objects.filter(caucus__meeting=m).select_related(
                "caucus__delegation"
            )
        ),
        "caucus_statements": sorted(
            (st.caucus.delegation.name, st.text, st.held_for_id is not None)
            for st in CaucusStatement.objects.filter(caucus__meeting=m).select_related(
                "caucus__delegation"
            )
        ),
        # A vote names a pseudonym, which differs between two worlds' ids: compare who it is.
        "caucus_votes": sorted(
            (text, voters.get(pseudonym), vote)
            for text, pseudonym, vote in CaucusVote.objects.filter(
                statement__caucus__meeting=m
            ).values_list("statement__text", "pseudonym", "vote")
        ),
        "polls": sorted(
            (p.question, tuple(p.options), p.is_open)
            for p in CaucusPoll.objects.filter(caucus__meeting=m)
        ),
        "answers": sorted(
            CaucusAnswer.objects.filter(poll__caucus__meeting=m).values_list(
                "poll__question", "person__full_name", "choice"
            )
        ),
        "versions": sorted(
            (v.number, v.is_approved) for v in RecordVersion.objects.filter(meeting=m)
        ),
        "record_notes": sorted(
            (
                n.version.number,
                n.agenda_item.title if n.agenda_item else None,
                n.text,
                n.is_held,
                tuple(texts.get(c) for c in n.cites),
            )
            for n in RecordNote.objects.filter(version__meeting=m).select_related(
                "version", "agenda_item"
            )
        ),
        "comments": sorted(
            RecordComment.objects.filter(version__meeting=m).values_list(
                "version__number", "text", "is_held"
            )
        ),
        "audit": sorted(
            AuditEntry.objects.filter(dialogue=world.dialogue).values_list(
                "actor_name", "action", "object_type"
            )
        ),
    }


@dataclass
class FloorCase(Case):
    actor: str = "facilitator"  # a key of world.users


def _floor_url(w, tail=""):
    return f"/dialogues/{w.dialogue.pk}/meetings/{w.meeting.pk}/floor/{tail}"


def _api_floor(w, tail=""):
    return f"/dialogues/{w.dialogue.pk}/meetings/{w.meeting.pk}/floor{tail}"


def _api_meeting(w, tail=""):
    return f"/dialogues/{w.dialogue.pk}/meetings/{w.meeting.pk}{tail}"


def _item(w, position=1):
    return w.meeting.agenda_items.get(position=position).pk


def _person(w, user):
    return w.persons[user.pk]


def start_item(w):
    from track2.facilitation import actions as floor_actions

    floor_actions.do_timer(
        w.users["facilitator"],
        floor_actions.check_timer(w.users["facilitator"], w.dialogue.pk, w.meeting.pk, "start"),
    )


def raise_hands(*indexes, direct=False):
    def prepare(w):
        from track2.facilitation import actions as floor_actions

        for i in indexes:
            user = w.participants[i]
            floor_actions.do_raise(
                floor_actions.check_raise(user, w.dialogue.pk, w.meeting.pk, direct), direct
            )

    return prepare


def _hand(w, i):
    from track2.facilitation.models import Hand

    return Hand.objects.get(meeting=w.meeting, person=_person(w, w.participants[i])).pk


def give_to(i):
    def prepare(w):
        from track2.facilitation import actions as floor_actions

        ctx, hand = floor_actions.check_give_floor(
            w.users["facilitator"], w.dialogue.pk, w.meeting.pk, _hand(w, i)
        )
        floor_actions.do_give_floor(ctx, hand)

    return prepare


def record_note(text, item=1):
    def prepare(w):
        from track2.facilitation import record as record_actions

        change = record_actions.check_note(
            w.users["rapporteur"], w.dialogue.pk, w.meeting.pk, text, _item(w, item)
        )
        record_actions.do_note(w.users["rapporteur"], change)

    return prepare


def approve(w):
    from track2.facilitation import record as record_actions

    ctx, version = record_actions.check_approve(w.users["facilitator"], w.dialogue.pk, w.meeting.pk)
    record_actions.do_approve(w.users["facilitator"], ctx, version)


def cited_statement(w):
    from tests.deliberation.test_map import accepted_statement

    accepted_statement(w, "Fishing quotas should be shared.")


def _statement(w):
    return Statement.objects.get(meeting=w.meeting, text="Fishing quotas should be shared.").pk


def _note_id(w, text):
    from track2.facilitation.models import RecordNote

    return RecordNote.objects.filter(version__meeting=w.meeting, text=text).latest("pk").pk


def timer_cases():
    def timer(action, item=None):
        return (
            lambda c, w: c.post(
                _floor_url(w, "timer/"),
                {"action": action, "item_id": "" if item is None else _item(w, item)},
            ),
            lambda api, w: api(
                "post",
                _api_floor(w, "/timer"),
                {"action": action, "item_id": None if item is None else _item(w, item)},
            ),
        )

    def limit(seconds):
        return (
            lambda c, w: c.post(_floor_url(w, "turn-limit/"), {"seconds": seconds}),
            lambda api, w: api("put", _api_floor(w, "/turn-limit"), {"seconds": seconds}),
        )

    def caucus_break(minutes):
        return (
            lambda c, w: c.post(_floor_url(w, "caucus-break/"), {"minutes": minutes}),
            lambda api, w: api("post", _api_floor(w, "/caucus-break"), {"minutes": minutes}),
        )

    return [
        FloorCase("floor timer start", *timer("start")),
        FloorCase("floor timer start item 2", *timer("start", 2)),
        FloorCase("floor timer pause", *timer("pause"), prepare=start_item),
        FloorCase("floor timer move on", *timer("next"), prepare=start_item),
        FloorCase("floor timer: pause with nothing running", *timer("pause"), accepted=False),
        FloorCase(
            "floor timer: resume while running",
            *timer("resume"),
            prepare=start_item,
            accepted=False,
        ),
        FloorCase("floor timer: by a participant", *timer("start"), actor="p0", accepted=False),
        FloorCase("floor turn limit", *limit(120)),
        FloorCase("floor turn limit: too short", *limit(5), accepted=False),
        FloorCase("floor caucus break", *caucus_break(10)),
        FloorCase("floor caucus break: too long", *caucus_break(500), accepted=False),
    ]


def queue_cases():
    def hand(verb, direct=False):
        if verb == "raise":
            return (
                lambda c, w: c.post(
                    _floor_url(w, "raise/"), {"direct_response": "on"} if direct else {}
                ),
                lambda api, w: api("post", _api_floor(w, "/hand"), {"direct_response": direct}),
            )
        return (
            lambda c, w: c.post(_floor_url(w, "lower/")),
            lambda api, w: api("delete", _api_floor(w, "/hand")),
        )

    def give(i):
        return (
            lambda c, w: c.post(_floor_url(w, "give/"), {"hand_id": _hand(w, i)}),
            lambda api, w: api("post", _api_floor(w, "/give"), {"hand_id": _hand(w, i)}),
        )

    def to_front(i):
        return (
            lambda c, w: c.post(_floor_url(w, "first/"), {"hand_id": _hand(w, i)}),
            lambda api, w: api("post", _api_floor(w, "/order"), {"hand_ids": [_hand(w, i)]}),
        )

    end_turn = (
        lambda c, w: c.post(_floor_url(w, "end-turn/")),
        lambda api, w: api("post", _api_floor(w, "/end-turn")),
    )
    close = (
        lambda c, w: c.post(_floor_url(w, "close/")),
        lambda api, w: api("post", _api_floor(w, "/close")),
    )
    return [
        FloorCase("queue raise", *hand("raise"), actor="p0"),
        FloorCase("queue raise a direct response", *hand("raise", True), actor="p5"),
        FloorCase(
            "queue: raise twice", *hand("raise"), actor="p0", prepare=raise_hands(0), accepted=False
        ),
        FloorCase(
            "queue: raise by someone not on the list",
            *hand("raise"),
            actor="unseated",
            accepted=False,
        ),
        FloorCase("queue lower", *hand("lower"), actor="p0", prepare=raise_hands(0)),
        FloorCase("queue: lower a hand not raised", *hand("lower"), actor="p0", accepted=False),
        FloorCase(
            "queue move to the front",
            *to_front(5),
            prepare=both(raise_hands(0), raise_hands(5, direct=True)),
        ),
        FloorCase("queue give the floor", *give(5), prepare=both(start_item, raise_hands(0, 5))),
        FloorCase(
            "queue: give the floor while someone has it",
            *give(5),
            prepare=both(start_item, raise_hands(0, 5), give_to(0)),
            accepted=False,
        ),
        FloorCase(
            "queue end the turn", *end_turn, prepare=both(start_item, raise_hands(0), give_to(0))
        ),
        FloorCase("queue: end a turn that has ended", *end_turn, accepted=False),
        FloorCase(
            "floor close (balance kept as totals)",
            *close,
            prepare=both(
                start_item, raise_hands(0, 5), give_to(0), lambda w: end_turn_now(w), give_to(5)
            ),
        ),
    ]


def end_turn_now(w):
    from track2.facilitation import actions as floor_actions

    ctx, turn = floor_actions.check_end_turn(w.users["facilitator"], w.dialogue.pk, w.meeting.pk)
    floor_actions.do_end_turn(ctx, turn)


def record_cases():
    def note(text, item=1, cites=False, revise=None):
        def page(c, w):
            body = {"text": text, "item_id": _item(w, item), "cites": ""}
            if cites:
                body["cites"] = str(_statement(w))
            if revise:
                body["note_id"] = _note_id(w, revise)
            return c.post(_floor_url(w, "record/note/"), body)

        def api(call, w):
            body = {"text": text, "item_id": _item(w, item), "cites": []}
            if cites:
                body["cites"] = [_statement(w)]
            if revise:
                return call("put", _api_meeting(w, f"/record/notes/{_note_id(w, revise)}"), body)
            return call("post", _api_meeting(w, "/record/notes"), body)

        return page, api

    remove = (
        lambda c, w: c.post(
            _floor_url(w, "record/remove/"), {"note_id": _note_id(w, "Broad support.")}
        ),
        lambda api, w: api(
            "delete", _api_meeting(w, f"/record/notes/{_note_id(w, 'Broad support.')}")
        ),
    )
    approve_it = (
        lambda c, w: c.post(_floor_url(w, "record/approve/")),
        lambda api, w: api("post", _api_meeting(w, "/record/approve")),
    )

    def comment(text):
        return (
            lambda c, w: c.post(_floor_url(w, "record/comment/"), {"text": text}),
            lambda api, w: api("post", _api_meeting(w, "/record/comments"), {"text": text}),
        )

    return [
        FloorCase("record note", *note("Broad support for a hotline."), actor="rapporteur"),
        FloorCase(
            "record note citing a statement",
            *note("Quotas were discussed.", cites=True),
            actor="rapporteur",
            prepare=cited_statement,
        ),
        FloorCase(
            "record note naming a participant (held)",
            *note("Person 05 proposed a hotline."),
            actor="rapporteur",
        ),
        FloorCase("record: note by a participant", *note("Mine."), actor="p0", accepted=False),
        FloorCase("record: empty note", *note("   "), actor="rapporteur", accepted=False),
        FloorCase(
            "record revise an approved note (a new version)",
            *note("Broad support, with doubts.", revise="Broad support."),
            actor="rapporteur",
            prepare=both(record_note("Broad support."), approve),
        ),
        FloorCase(
            "record remove a note",
            *remove,
            actor="rapporteur",
            prepare=record_note("Broad support."),
        ),
        FloorCase("record approve", *approve_it, prepare=record_note("Broad support.")),
        FloorCase(
            "record: approve with a held note",
            *approve_it,
            prepare=record_note("Person 05 proposed a hotline."),
            accepted=False,
        ),
        FloorCase("record: approve with no draft", *approve_it, accepted=False),
        FloorCase(
            "record: approve by the rapporteur",
            *approve_it,
            actor="rapporteur",
            prepare=record_note("Broad support."),
            accepted=False,
        ),
        FloorCase(
            "record comment",
            *comment("Add the hotline's hours."),
            actor="p0",
            prepare=record_note("Broad support."),
        ),
        FloorCase("record: comment with no draft", *comment("Hm."), actor="p0", accepted=False),
    ]


def caucus_cases():
    def caucus(w, tail=""):
        return f"{_floor_url(w)}caucus/{w.north.pk}/{tail}"

    def api_caucus(w, tail=""):
        return _api_meeting(w, f"/caucus/{w.north.pk}{tail}")

    def note(text):
        return (
            lambda c, w: c.post(caucus(w, "note/"), {"text": text}),
            lambda api, w: api("post", api_caucus(w, "/notes"), {"text": text}),
        )

    poll = (
        lambda c, w: c.post(
            caucus(w, "poll/"), {"question": "Accept the hotline?", "options": "Yes\nNo"}
        ),
        lambda api, w: api(
            "post",
            api_caucus(w, "/polls"),
            {"question": "Accept the hotline?", "options": ["Yes", "No"]},
        ),
    )
    invite = (
        lambda c, w: c.post(caucus(w, "invite/"), {"invited": "on"}),
        lambda api, w: api("put", api_caucus(w, "/invitation"), {"invited": True}),
    )

    def on_poll(verb, body):
        page_body = {"poll_id": "", **{k: str(v) for k, v in body.items()}}

        def poll_id(w):
            return CaucusPoll.objects.get(question="Accept the hotline?").pk

        api_tail = {"answer": "/answer", "close-poll": "/close"}[verb]
        return (
            lambda c, w: c.post(caucus(w, f"{verb}/"), {**page_body, "poll_id": poll_id(w)}),
            lambda api, w: api(
                "put" if verb == "answer" else "post",
                api_caucus(w, f"/polls/{poll_id(w)}{api_tail}"),
                body or None,
            ),
        )

    def asked(w):
        from track2.facilitation import caucus as caucus_actions

        user = w.participants[1]
        ctx, question, options = caucus_actions.check_poll(
            user, w.dialogue.pk, w.meeting.pk, w.north.pk, "Accept the hotline?", ["Yes", "No"]
        )
        caucus_actions.do_poll(ctx, question, options)

    def closed(w):
        asked(w)
        CaucusPoll.objects.update(is_open=False)

    def statement(text):
        return (
            lambda c, w: c.post(caucus(w, "statement/"), {"text": text}),
            lambda api, w: api("post", api_caucus(w, "/statements"), {"text": text}),
        )

    def proposed(w):
        from track2.facilitation import caucus as caucus_actions

        caucus_actions.do_statement(
            caucus_actions.check_statement(
                w.participants[1], w.dialogue.pk, w.meeting.pk, w.north.pk, "A hotline first."
            )
        )

    def vote(value):
        def statement_id(w):
            from track2.facilitation.models import CaucusStatement

            return CaucusStatement.objects.get(text="A hotline first.").pk

        return (
            lambda c, w: c.post(
                caucus(w, "vote/"), {"statement_id": statement_id(w), "vote": value}
            ),
            lambda api, w: api(
                "put", api_caucus(w, f"/statements/{statement_id(w)}/vote"), {"vote": value}
            ),
        )

    return [
        FloorCase(
            "caucus answer a poll", *on_poll("answer", {"choice": 1}), actor="p0", prepare=asked
        ),
        FloorCase(
            "caucus: answer out of range",
            *on_poll("answer", {"choice": 7}),
            actor="p0",
            prepare=asked,
            accepted=False,
        ),
        FloorCase("caucus close a poll", *on_poll("close-poll", {}), actor="p0", prepare=asked),
        FloorCase(
            "caucus: close a closed poll",
            *on_poll("close-poll", {}),
            actor="p0",
            prepare=closed,
            accepted=False,
        ),
        FloorCase("caucus note", *note("We can live with a hotline."), actor="p0"),
        FloorCase("caucus note naming someone (held)", *note("Ask Person 05 first."), actor="p0"),
        FloorCase("caucus poll", *poll, actor="p0"),
        FloorCase("caucus statement", *statement("A hotline before quotas."), actor="p0"),
        FloorCase(
            "caucus statement naming someone (held)", *statement("Person 05 is right."), actor="p0"
        ),
        FloorCase("caucus: statement too long", *statement("x" * 301), actor="p0", accepted=False),
        FloorCase("caucus vote on a statement", *vote("agree"), actor="p0", prepare=proposed),
        FloorCase(
            "caucus: vote neither agree, disagree nor pass",
            *vote("maybe"),
            actor="p0",
            prepare=proposed,
            accepted=False,
        ),
        FloorCase("caucus invite the facilitators", *invite, actor="p0"),
    ]


FLOOR_CASES = timer_cases() + queue_cases() + record_cases() + caucus_cases()


@pytest.fixture
def run_on_fresh_room(client, make_user, institution, settings, tmp_path):
    from tests.deliberation.conftest import build_room

    settings.TRACK2_HOME = tmp_path  # the dialogue's pseudonym key (cited statements, votes)

    def run(case: FloorCase, door: str):
        with transaction.atomic():
            world = build_room(make_user, institution)
            AgendaItem.objects.create(
                meeting=world.meeting, position=1, title="Fisheries", duration_minutes=30
            )
            AgendaItem.objects.create(
                meeting=world.meeting, position=2, title="Shipping lanes", duration_minutes=20
            )
            case.prepare(world)
            actor = (
                world.participants[int(case.actor[1:])]
                if case.actor[0] == "p" and case.actor[1:].isdigit()
                else world.users[case.actor]
            )
            before = floor_snapshot(world)
            outcome = through(client, door, actor, case, world)
            state = floor_snapshot(world)
            transaction.set_rollback(True)
        client.logout()
        # An accepted write changes what the floor holds; a refused one changes nothing.
        assert (state != before) == outcome.accepted, (door, outcome)
        return outcome, state

    return run


@pytest.mark.parametrize("case", FLOOR_CASES, ids=[c.name for c in FLOOR_CASES])
def test_floor_page_and_api_agree(case, run_on_fresh_room):
    agree(case, run_on_fresh_room)


# The same facts read through each door: the console page shows what the API answers, to each
# role — the timer, the queue (names only where the API gives them), the balance, the record.

READERS = ["facilitator", "convener", "rapporteur", "p0", "unseated", "liaison", "observer"]


@pytest.fixture
def floor_in_progress(make_user, institution, settings, tmp_path):
    """Item 1 paused after 2,000 s of its 30 min (overrun 200 s); three ended turns — North 120 s
    and 60 s (half of it after the pause: outside the agenda), South 30 s —; two hands (North, South's a direct response);
    a turn limit; an approved record with a later draft holding a held note."""
    from datetime import timedelta

    from tests.deliberation.conftest import build_room
    from track2.facilitation import record as record_actions
    from track2.facilitation.models import Floor, Hand, ItemInterval, Turn

    settings.TRACK2_HOME = tmp_path
    w = build_room(make_user, institution)
    one = AgendaItem.objects.create(
        meeting=w.meeting, position=1, title="Fisheries", duration_minutes=30
    )
    two = AgendaItem.objects.create(
        meeting=w.meeting, position=2, title="Shipping lanes", duration_minutes=20
    )
    t0 = timezone.now() - timedelta(minutes=50)
    ItemInterval.objects.create(
        item=one, meeting=w.meeting, started_at=t0, ended_at=t0 + timedelta(seconds=2000)
    )
    Floor.objects.create(meeting=w.meeting, current_item=one, turn_limit_seconds=90)
    for i, (start, seconds, item) in enumerate([(10, 120, one), (1970, 60, one), (300, 30, one)]):
        user = w.participants[[0, 1, 5][i]]
        person = w.persons[user.pk]
        Turn.objects.create(
            meeting=w.meeting,
            person=person,
            delegation=w.north if i < 2 else w.south,
            agenda_item=item,
            started_at=t0 + timedelta(seconds=start),
            ended_at=t0 + timedelta(seconds=start + seconds),
        )
    del two
    for place, (i, direct) in enumerate([(2, False), (6, True)], 1):
        Hand.objects.create(
            meeting=w.meeting,
            person=w.persons[w.participants[i].pk],
            delegation=w.north if i < 4 else w.south,
            is_direct_response=direct,
            position=place,
        )
    rapporteur = w.users["rapporteur"]
    for text in ("Broad support for a hotline.", "Person 05 proposed it."):
        record_actions.do_note(
            rapporteur,
            record_actions.check_note(rapporteur, w.dialogue.pk, w.meeting.pk, text, one.pk),
        )
    record_actions.do_remove_note(
        rapporteur,
        *record_actions.check_remove_note(
            rapporteur, w.dialogue.pk, w.meeting.pk, _note_id(w, "Person 05 proposed it.")
        ),
    )
    approve(w)
    record_note("Person 05 proposed it again.")(w)
    return w


def _reader(w, key):
    return w.participants[int(key[1:])] if key[1:].isdigit() else w.users[key]


def _words(response) -> str:
    """A page's text as a reader sees it: no tags, whitespace collapsed."""
    import re
    from html import unescape

    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def _in_order(text: str, parts: list[str]) -> bool:
    at = 0
    for part in parts:
        found = text.find(part, at)
        if found < 0:
            return False
        at = found + len(part)
    return True


@pytest.mark.parametrize("reader", READERS)
def test_floor_page_shows_what_the_api_says(floor_in_progress, client, reader):
    from track2.facilitation.queries import clock

    w = floor_in_progress
    user = _reader(w, reader)
    sign_in(client, user)
    page = client.get(_floor_url(w))
    api = client.get(f"/api/v1{_api_floor(w)}", **bearer(user))
    assert page.status_code == api.status_code, reader
    if api.status_code != 200:
        assert reader == "observer"
        return
    facts, text = api.json(), _words(page)
    item = facts["current_item"]
    assert item["elapsed_seconds"] == 2000 and item["overrun_seconds"] == 200
    assert f"In progress: {item['position']}. {item['title']} — paused, " in text
    # As the running clocks show them (minutes:seconds), from the first rendering.
    assert f"{clock(item['elapsed_seconds'])} of 30 min" in text
    assert f"over by {clock(item['overrun_seconds'])}" in text
    assert f"Next: {facts['next_item']['position']}. {facts['next_item']['title']}" in text
    queue = [
        (h["name"] or "a participant")
        + (f" ({h['delegation']})" if h["delegation"] else "")
        + (" — direct response" if h["direct_response"] else "")
        for h in facts["queue"]
    ]
    assert len(queue) == 2 and _in_order(text, queue), (reader, queue)
    for person in w.persons.values():
        named = any(h["name"] == person.full_name for h in facts["queue"])
        # Names on the page only where the API gives them (the record may cite none).
        section = text.split("Speaking queue", 1)[1].split("Present (", 1)[0]
        assert (person.full_name in section) == named, (reader, person)
    present = facts["present"]
    assert (present is not None) == (reader in ("facilitator", "convener"))
    if present is not None:
        listed = [p["name"] + (f" ({p['delegation']})" if p["delegation"] else "") for p in present]
        assert len(listed) == 8 and _in_order(text, [f"Present ({len(listed)})", *listed])
    balance = facts["balance"]
    assert (balance is not None) == (reader in ("facilitator", "convener"))
    assert ("Speaking balance" in text) == (balance is not None)
    if balance is not None:
        assert balance["warning"] and balance["warning"] in text
        for side in balance["sides"]:
            row = (
                f"{side['delegation']} {side['seconds']} {side['turns']} "
                f"{round(side['share_of_time'] * 100)} % {round(side['share_of_turns'] * 100)} % "
                f"{round(side['share_present'] * 100)} %"
            )
            assert row in text, row
        for row in balance["by_item"]:
            cells = " ".join(
                f"{row['seconds'].get(s['delegation'], 0)} s, "
                f"{row['turns'].get(s['delegation'], 0)} turns"
                for s in balance["sides"]
            )
            assert f"{row['item']} {cells}" in text, (row, cells)
        assert f"Outside the agenda: {balance['outside_agenda_seconds']} s" in text
        assert f'value="{facts["turn_limit_seconds"]}"' in page.content.decode()


@pytest.mark.parametrize("reader", READERS)
def test_record_page_shows_what_the_api_says(floor_in_progress, client, reader):
    w = floor_in_progress
    user = _reader(w, reader)
    sign_in(client, user)
    page = client.get(_floor_url(w, "record/"))
    api = client.get(f"/api/v1{_api_meeting(w, '/record')}", **bearer(user))
    assert page.status_code == api.status_code, reader
    if api.status_code != 200:
        return
    facts, text = api.json(), _words(page)
    shown = [
        n["text"]
        for version in (facts["approved"], facts["draft"])
        if version
        for n in version["notes"]
    ]
    assert "Broad support for a hotline." in shown
    for note in (
        "Broad support for a hotline.",
        "Person 05 proposed it again.",
        "Person 05 proposed it.",
    ):
        assert (note in text) == (note in shown), (reader, note)
    assert ("Person 05 proposed it again." in shown) == (
        reader in ("facilitator", "convener", "rapporteur")
    )
    for version in facts["versions"]:
        assert f"version {version['number']}" in text.lower() or not version["is_approved"], version
