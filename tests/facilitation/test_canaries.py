"""The canary leak test extended to facilitation: participants with unique names, e-mails and
organisations speak from the queue, write caucus notes and are named in a held record note; then
the floor, the caucus rooms, the record, its HTML and PDF, for every role, are searched."""

from __future__ import annotations

import io
import json

from django.db import connection
from pypdf import PdfReader

from tests.deliberation.conftest import build_room
from tests.deliberation.test_access_matrix import ROLES
from tests.helpers import sign_in
from track2.facilitation.models import Hand, SpeakingTotal, Turn
from track2.meetings.models import AgendaItem
from track2.people.models import Affiliation

N = 8
CAUCUS_CANARY = "Cauc4nary-line-Zq"
# A caucus statement: read by its delegation in the caucus, never in the plenary room's lists.
STATEMENT_CANARY = "Cauc4nary-statement-Wv"
# Who reads names in the queue under the Chatham House Rule: those present and the facilitators.
SEES_NAMES = {"convener", "facilitator", "participant", "south"}


def test_no_canary_where_it_may_not_be(make_user, institution, api, client):
    # Surnames long enough that no random token (CSRF, nonce) on a page contains them by chance.
    names = [f"Canaryname{i:02d} Zqxsurname{i:02d}" for i in range(N)]
    room = build_room(make_user, institution, per_side=N // 2, names=names)
    for i, person in enumerate(room.persons.values()):
        person.email = f"canarymail{i:02d}@example.org"
        person.save()
        Affiliation.objects.create(person=person, organisation=f"Canaryorg{i:02d} Institute")
    AgendaItem.objects.create(meeting=room.meeting, position=1, title="Item", duration_minutes=10)
    fac = api(room.users["facilitator"])
    fac("post", room.url("/floor/timer"), {"action": "start"})
    for user in room.participants[1:4] + room.participants[5:7]:
        assert api(user)("post", room.url("/floor/hand"), {}).status_code == 201
    first = Hand.objects.order_by("position").first()
    fac("post", room.url("/floor/give"), {"hand_id": first.pk})
    north, south = room.participants[0], room.participants[4]
    api(north)("post", room.url(f"/caucus/{room.north.pk}/notes"), {"text": CAUCUS_CANARY})
    api(north)("post", room.url(f"/caucus/{room.north.pk}/notes"), {"text": "Canaryname05 wavers."})
    c = room.url(f"/caucus/{room.north.pk}/statements")
    assert api(north)("post", c, {"text": STATEMENT_CANARY}).status_code == 201
    assert api(north)("post", c, {"text": "Canaryname06 decides."}).json()["held"]
    rap = api(room.users["rapporteur"])
    rap("post", room.url("/record/notes"), {"text": "Agreement on patrols."})
    fac("post", room.url("/record/approve"))
    rap("post", room.url("/record/notes"), {"text": "As canarymail02@example.org put it."})
    canaries = [*names, "canaryname", "canarymail", "canaryorg", "zqxsurname"]

    def scan(text: str, where: str, allowed: tuple[str, ...] = ()) -> None:
        low = text.lower()
        for canary in canaries:
            if canary.lower() in low and where.split(" as ")[-1] not in allowed:
                raise AssertionError(f"{canary} in {where}")

    for role in ROLES + ["south"]:
        user = south if role == "south" else room.users[role]
        call = api(user)
        floor = call("get", room.url("/floor")).content.decode()
        scan(floor, f"floor as {role}", tuple(SEES_NAMES))
        # The scan can fail: those who may read names do read them.
        assert ("Canaryname01" in floor) is (role in SEES_NAMES), role
        assert CAUCUS_CANARY not in floor and STATEMENT_CANARY not in floor
        # The plenary room's statements and map never carry the caucus's, even for its members.
        for where in ("/statements", "/common-ground", "/export?format=json"):
            assert STATEMENT_CANARY not in call("get", room.url(where)).content.decode(), where
        caucus = call("get", room.url(f"/caucus/{room.north.pk}"))
        assert (caucus.status_code == 200) is (role == "participant"), role
        assert (CAUCUS_CANARY in caucus.content.decode()) is (role == "participant")
        assert (STATEMENT_CANARY in caucus.content.decode()) is (role == "participant")
        # The held caucus note names someone: its writer alone reads it.
        scan(caucus.content.decode(), f"caucus as {role}", ("participant",))
        recorded = call("get", room.url("/record")).content.decode()
        scan(recorded, f"record as {role}", ("convener", "facilitator", "rapporteur"))
        for fmt in ("html", "pdf"):
            exported = call("get", room.url(f"/record/export?format={fmt}"))
            if exported.status_code != 200:
                continue
            if fmt == "pdf":
                reader = PdfReader(io.BytesIO(exported.content))
                text = " ".join(page.extract_text() for page in reader.pages)
            else:
                text = exported.content.decode()
            scan(text, f"export {fmt} as {role}")
            assert CAUCUS_CANARY not in text and STATEMENT_CANARY not in text
        client.logout()
        sign_in(client, user)
        base = f"/dialogues/{room.dialogue.pk}/meetings/{room.meeting.pk}"
        for url, allowed in [
            (f"{base}/floor/", tuple(SEES_NAMES)),
            (f"{base}/floor/record/", ("convener", "facilitator", "rapporteur")),
            (f"{base}/floor/caucus/{room.north.pk}/", ("participant",)),
            (f"{base}/room/", ()),
        ]:
            page = client.get(url).content.decode()
            if role != "participant":
                assert CAUCUS_CANARY not in page, (url, role)
            if role != "participant" or "/caucus/" not in url:
                assert STATEMENT_CANARY not in page, (url, role)
            scan(page, f"{url} as {role}", allowed)
    # The floor closes under the Chatham House Rule: no per-person row is left.
    fac("post", room.url("/floor/end-turn"))
    fac("post", room.url("/floor/close"))
    assert not Turn.objects.exists() and not Hand.objects.exists()
    assert SpeakingTotal.objects.exists()
    for table in ("facilitation_speakingtotal", "facilitation_floor", "facilitation_iteminterval"):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608  (our own table names)
            scan(json.dumps(cursor.fetchall(), default=str), f"table {table}")
    after = fac("get", room.url("/floor")).content.decode()
    scan(after, "floor after closing")
