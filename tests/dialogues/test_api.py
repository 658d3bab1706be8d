"""The dialogues API: same actions and rules as the pages, JSON errors."""

from __future__ import annotations

import pytest

from track2.accounts import actions as account_actions
from track2.dialogues.models import Delegation, Dialogue, Membership, Party
from track2.meetings.models import AgendaItem, Meeting, MeetingParticipant
from track2.people.models import Sector

from .conftest import make_person


def bearer(user) -> dict:
    secret, _token = account_actions.do_create_api_token(user, f"tests-{user.pk}")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def api(client, world):
    tokens: dict[str, dict] = {}

    def call(method, path, user="convener", json=None):
        if user and user not in tokens:
            tokens[user] = bearer(world.users[user])
        headers = tokens[user] if user else {}
        kwargs = {"content_type": "application/json", **headers}
        if json is not None:
            kwargs["data"] = json
        return getattr(client, method)(f"/api/v1{path}", **kwargs)

    return call


def test_list_and_create_dialogues(api, world):
    page = api("get", "/dialogues").json()
    assert (page["total"], page["page"], page["limit"]) == (1, 1, 50)
    listed = page["items"]
    assert [d["title"] for d in listed] == ["Varena Sea Dialogue"]
    assert listed[0]["roles"] == ["convener"]
    made = api("post", "/dialogues", json={"title": "Gulf Talks", "track": "track1_5"})
    assert made.status_code == 201, made.content
    assert made.json()["roles"] == ["convener"]
    assert Dialogue.objects.get(title="Gulf Talks").created_by == world.users["convener"]
    assert api("post", "/dialogues", json={"title": "  "}).json() == {
        "detail": "Give the dialogue a title.",
        "field": "title",
        "errors": [{"field": "title", "message": "Give the dialogue a title."}],
    }


def test_outsider_sees_no_dialogue(api, world):
    assert api("get", "/dialogues", user="outsider").json() == {
        "items": [],
        "total": 0,
        "page": 1,
        "limit": 50,
    }
    d = world.dialogue.pk
    for path in (
        f"/dialogues/{d}",
        f"/dialogues/{d}/meetings",
        f"/dialogues/{d}/delegations",
        f"/dialogues/{d}/meetings/{world.meeting.pk}",
        "/dialogues/999999",
    ):
        response = api("get", path, user="outsider")
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found."}


def test_update_dialogue_refuses_track_2_with_an_official(api, world):
    d = world.dialogue
    assert api("patch", f"/dialogues/{d.pk}", json={"track": "track1_5"}).status_code == 200
    official = make_person(d, "Sera Official", sector=Sector.SERVING_OFFICIAL)
    seat = api(
        "post",
        f"/dialogues/{d.pk}/delegations/{world.caldera.pk}/seats",
        json={"person_id": official.pk},
    )
    assert seat.status_code == 201
    refused = api("patch", f"/dialogues/{d.pk}", json={"track": "track2", "title": "Renamed"})
    assert refused.status_code == 400
    assert refused.json()["field"] == "track" and "Sera Official" in refused.json()["detail"]
    d.refresh_from_db()
    assert (d.track, d.title) == ("track1_5", "Varena Sea Dialogue")  # nothing partially saved


def test_participant_cannot_update(api, world):
    response = api(
        "patch", f"/dialogues/{world.dialogue.pk}", user="participant", json={"title": "Mine"}
    )
    assert response.status_code == 404


def test_parties_and_delegations(api, world):
    d = world.dialogue.pk
    party = api(
        "post", f"/dialogues/{d}/parties", json={"name": "Isle of Mern", "country": "Mern"}
    ).json()
    duplicate = api("post", f"/dialogues/{d}/parties", json={"name": "isle of mern"})
    assert duplicate.status_code == 400 and duplicate.json()["field"] == "name"
    delegation = api(
        "post", f"/dialogues/{d}/delegations", json={"name": "Mern", "party_id": party["id"]}
    )
    assert delegation.status_code == 201
    second = api(
        "post", f"/dialogues/{d}/delegations", json={"name": "Mern 2", "party_id": party["id"]}
    )
    assert second.status_code == 400 and second.json()["field"] == "party"
    blocked = api("delete", f"/dialogues/{d}/parties/{party['id']}")
    assert blocked.status_code == 400
    assert Party.objects.filter(pk=party["id"]).exists()
    assert api("delete", f"/dialogues/{d}/delegations/{delegation.json()['id']}").status_code == 204
    assert api("delete", f"/dialogues/{d}/parties/{party['id']}").status_code == 204


def test_seat_refuses_second_delegation_and_unknown_person(api, world):
    d = world.dialogue.pk
    bo = world.persons["bo"]
    twice = api(
        "post", f"/dialogues/{d}/delegations/{world.ostrava.pk}/seats", json={"person_id": bo.pk}
    )
    assert twice.status_code == 400
    assert "only one delegation" in twice.json()["detail"]
    assert world.ostrava.members.filter(person=bo).count() == 0
    stranger = api(
        "post", f"/dialogues/{d}/delegations/{world.ostrava.pk}/seats", json={"person_id": 999999}
    )
    assert stranger.status_code == 400 and stranger.json()["field"] == "person_id"


def test_delegation_rosters_follow_roles(api, world):
    d = world.dialogue.pk
    as_convener = {x["name"]: x for x in api("get", f"/dialogues/{d}/delegations").json()["items"]}
    assert all("members" in x for x in as_convener.values())
    as_participant = {
        x["name"]: x
        for x in api("get", f"/dialogues/{d}/delegations", user="participant").json()["items"]
    }
    assert "members" in as_participant[world.caldera.name]
    assert "members" not in as_participant[world.ostrava.name]
    assert as_participant[world.ostrava.name]["size"] == 2
    as_observer = api("get", f"/dialogues/{d}/delegations", user="observer").json()["items"]
    assert all("members" not in x for x in as_observer)


def test_meeting_lifecycle_and_bad_input(api, world):
    d = world.dialogue.pk
    venue = api(
        "post",
        f"/dialogues/{d}/venues",
        json={
            "name": "Caldera University",
            "kind": "university",
            "city": "Port Vell",
            "country": "caldera",
            "capacity": 3,
        },
    )
    assert venue.status_code == 201
    assert "Northern Republic of Caldera" in venue.json()["neutrality_warning"]
    body = {
        "title": "Round 3",
        "starts_at": "2031-03-02T09:00",
        "ends_at": "2031-03-02T17:00",
        "time_zone": "Asia/Singapore",
        "venue_id": venue.json()["id"],
    }
    made = api("post", f"/dialogues/{d}/meetings", json=body)
    assert made.status_code == 201, made.content
    meeting = Meeting.objects.get(pk=made.json()["id"])
    assert meeting.starts_at.isoformat() == "2031-03-02T01:00:00+00:00"  # 09:00 in Singapore
    assert meeting.attribution_mode == world.dialogue.default_attribution_mode
    assert any("neutral" in w for w in made.json()["warnings"])
    bad_zone = api("post", f"/dialogues/{d}/meetings", json={**body, "time_zone": "Mars/Olympus"})
    assert bad_zone.status_code == 400 and bad_zone.json()["field"] == "time_zone"
    backwards = api(
        "post", f"/dialogues/{d}/meetings", json={**body, "ends_at": "2031-03-02T08:00"}
    )
    assert backwards.status_code == 400 and backwards.json()["field"] == "ends_at"
    assert Meeting.objects.filter(title="Round 3").count() == 1
    m = f"/dialogues/{d}/meetings/{meeting.pk}"
    first = api("post", m + "/agenda", json={"title": "Fisheries", "duration_minutes": 300})
    second = api(
        "post",
        m + "/agenda",
        json={
            "title": "Search and rescue",
            "duration_minutes": 200,
            "lead_id": world.persons["cyra"].pk,
        },
    )
    assert first.status_code == second.status_code == 201
    moved = api("post", m + f"/agenda/{second.json()['id']}/move", json={"direction": "up"})
    assert [i["title"] for i in moved.json()] == ["Search and rescue", "Fisheries"]
    assert any("agenda takes 500 minutes" in w for w in api("get", m).json()["warnings"])
    people = [world.persons[k].pk for k in ("arin", "bo", "cyra", "dane")]
    over = api("post", m + "/participants", json={"person_ids": people})
    assert over.status_code == 400 and "holds 3 people" in over.json()["detail"]
    assert not MeetingParticipant.objects.filter(meeting=meeting).exists()  # all or none
    added = api("post", m + "/participants", json={"person_ids": people[:3], "status": "confirmed"})
    assert added.status_code == 201
    unseated = api("post", m + "/participants", json={"person_ids": [world.persons["eli"].pk]})
    assert unseated.status_code == 400 and "not in a delegation" in unseated.json()["detail"]
    early = api("patch", m + f"/participants/{added.json()[0]['id']}", json={"status": "attended"})
    assert early.status_code == 400
    declined = api(
        "patch", m + f"/participants/{added.json()[0]['id']}", json={"status": "declined"}
    )
    assert declined.json()["status"] == "declined"
    smaller = api("patch", f"/dialogues/{d}/venues/{venue.json()['id']}", json={"capacity": 1})
    assert smaller.status_code == 400 and smaller.json()["field"] == "capacity"


def test_participants_list_is_confidential(api, world):
    m = f"/dialogues/{world.dialogue.pk}/meetings/{world.meeting.pk}/participants"
    assert api("get", m).status_code == 200
    assert api("get", m, user="participant").status_code == 404
    Dialogue.objects.filter(pk=world.dialogue.pk).update(is_attendance_confidential=False)
    assert api("get", m, user="participant").status_code == 200
    assert api("get", m, user="observer").status_code == 404


def test_meeting_address_only_for_confirmed(api, world):
    m = f"/dialogues/{world.dialogue.pk}/meetings/{world.meeting.pk}"
    assert api("get", m).json()["venue"]["address"] == "7 Secret Lane"
    assert api("get", m, user="participant").json()["venue"]["address"] is None
    MeetingParticipant.objects.create(
        meeting=world.meeting, person=world.persons["arin"], status="invited"
    )
    assert api("get", m, user="participant").json()["venue"]["address"] is None
    MeetingParticipant.objects.filter(person=world.persons["arin"]).update(status="confirmed")
    assert api("get", m, user="participant").json()["venue"]["address"] == "7 Secret Lane"


def test_balance_json(api, world):
    report = api("get", f"/dialogues/{world.dialogue.pk}/balance").json()
    sizes = {d["name"]: d["size"] for d in report["delegations"]}
    assert sizes[world.caldera.name] == 2
    assert any("fewer than the 4" in w for w in report["warnings"])
    assert (
        api("get", f"/dialogues/{world.dialogue.pk}/balance", user="facilitator").status_code == 404
    )


def test_roles_api(api, world):
    d = world.dialogue.pk
    roles = api("get", f"/dialogues/{d}/roles").json()["items"]
    mine = next(r for r in roles if r["role"] == "convener")
    refused = api("delete", f"/dialogues/{d}/roles/{mine['id']}")
    assert refused.status_code == 400 and "at least one convener" in refused.json()["detail"]
    offered = api(
        "post",
        f"/dialogues/{d}/roles",
        json={"email": world.users["participant"].email, "role": "observer"},
    )
    # Offered, not given: the role exists only once its holder accepts.
    assert offered.status_code == 202 and offered.json()["is_open"] is True
    assert not Membership.objects.filter(user=world.users["participant"], role="observer").exists()
    bad = api("post", f"/dialogues/{d}/roles", json={"email": "not an address", "role": "king"})
    assert (
        bad.status_code == 400
        and "e-mail" in bad.json()["detail"]
        and "king" in bad.json()["detail"]
    )


def test_agenda_needs_facilitator(api, world):
    m = f"/dialogues/{world.dialogue.pk}/meetings/{world.meeting.pk}/agenda"
    assert (
        api(
            "post", m, user="facilitator", json={"title": "Opening", "duration_minutes": 15}
        ).status_code
        == 201
    )
    for role in ("participant", "observer", "rapporteur", "liaison", "outsider"):
        assert (
            api("post", m, user=role, json={"title": "x", "duration_minutes": 15}).status_code
            == 404
        ), role
    assert AgendaItem.objects.filter(meeting=world.meeting).count() == 1


def test_anonymous_gets_401(client, world):
    assert client.get("/api/v1/dialogues").status_code == 401


def test_delegation_kinds_validated(api, world):
    d = world.dialogue.pk
    response = api(
        "post",
        f"/dialogues/{d}/delegations",
        json={"name": "Odd", "kind": "facilitation", "party_id": world.caldera.party_id},
    )
    assert response.status_code == 400
    assert not Delegation.objects.filter(name="Odd").exists()


def test_update_delegation(api, world):
    d = world.dialogue.pk
    renamed = api(
        "patch", f"/dialogues/{d}/delegations/{world.caldera.pk}", json={"name": "Caldera team"}
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "Caldera team"
    assert len(renamed.json()["members"]) == 2
    taken = api(
        "patch",
        f"/dialogues/{d}/delegations/{world.caldera.pk}",
        json={"party_id": world.ostrava.party_id},
    )
    assert taken.status_code == 400 and taken.json()["field"] == "party"
    assert (
        api(
            "patch",
            f"/dialogues/{d}/delegations/{world.caldera.pk}",
            user="participant",
            json={"name": "Mine"},
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"title": "x" * 201}, "title"),
        ({"title": "T", "track": "track3"}, "track"),
        ({"title": "T", "status": "dormant"}, "status"),
        ({"title": "T", "k_anonymity": 1}, "k_anonymity"),
        ({"title": "T", "max_side_ratio": "0.5"}, "max_side_ratio"),
        ({"title": "T", "max_gender_share": 101}, "max_gender_share"),
        ({"title": "T", "required_sectors": ["astrology"]}, "required_sectors"),
        ({"title": "T", "default_attribution_mode": "gossip"}, "default_attribution_mode"),
    ],
)
def test_create_dialogue_bad_input(api, world, bad, field):
    before = Dialogue.objects.count()
    response = api("post", "/dialogues", json=bad)
    if field in ("title", "k_anonymity", "max_side_ratio", "max_gender_share"):
        # A length limit or a number's range is the schema's: 422 naming the field and the limit
        # (test_bad_input.py, test_api_decimal_range.py, test_api_integer_range.py).
        assert response.status_code == 422, response.content
        assert response.json()["errors"][0]["loc"] == ["body", field]
    else:
        assert response.status_code == 400, response.content
        assert response.json()["field"] == field
    assert Dialogue.objects.count() == before


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"name": "", "kind": "university", "country": "X"}, "name"),
        ({"name": "Hall", "kind": "castle", "country": "X"}, "kind"),
        ({"name": "Hall", "kind": "university"}, "country"),
        ({"name": "Hall", "kind": "university", "country": "X", "capacity": 0}, "capacity"),
    ],
)
def test_create_venue_bad_input(api, world, bad, field):
    response = api("post", f"/dialogues/{world.dialogue.pk}/venues", json=bad)
    assert response.status_code == 400 and response.json()["field"] == field


def test_malformed_json_and_types_are_422(api, world):
    response = api(
        "post",
        f"/dialogues/{world.dialogue.pk}/meetings",
        json={
            "title": "R",
            "starts_at": "yesterday",
            "ends_at": "2031-01-01T10:00",
            "time_zone": "UTC",
        },
    )
    assert response.status_code == 422


def test_party_with_delegation_is_all_or_nothing(api, world):
    d = world.dialogue.pk
    api(
        "post",
        f"/dialogues/{d}/delegations",
        json={"name": "Mern delegation", "kind": "facilitation"},
    )
    response = api(
        "post",
        f"/dialogues/{d}/parties",
        json={"name": "Mern", "country": "M", "with_delegation": True},
    )
    assert response.status_code == 400
    assert not Party.objects.filter(name="Mern").exists()


def test_delete_venue(api, world):
    d = world.dialogue.pk
    used = api("delete", f"/dialogues/{d}/venues/{world.home.pk}")
    assert used.status_code == 400 and "takes place at this venue" in used.json()["detail"]
    assert (
        api("delete", f"/dialogues/{d}/venues/{world.home.pk}", user="facilitator").status_code
        == 404
    )
    spare = api("post", f"/dialogues/{d}/venues", json={"name": "Spare", "kind": "virtual"}).json()
    assert api("delete", f"/dialogues/{d}/venues/{spare['id']}").status_code == 204


def test_an_unseated_lead_is_refused_with_the_pages_words(api, world):
    m = f"/dialogues/{world.dialogue.pk}/meetings/{world.meeting.pk}"
    for lead in (world.persons["eli"].pk, 999_999):  # a candidate not seated, and no person at all
        refused = api(
            "post", m + "/agenda", json={"title": "Press", "duration_minutes": 10, "lead_id": lead}
        )
        assert refused.status_code == 400
        assert (
            refused.json()["detail"]
            == "The lead must be a member of one of this dialogue's delegations."
        )
        assert refused.json()["field"] == "lead_id"
