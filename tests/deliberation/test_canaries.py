"""The canary leak test: unique names, e-mails and organisations for every participant; a whole
meeting (submit, moderate, vote, change votes, export, close); then every room surface for every
role, every API answer, every export, every e-mail, every log line and the content tables are
searched. Nothing may carry a canary, a pseudonym, an exact time or the order of submission."""

from __future__ import annotations

import io
import json
import logging
import re
import zipfile

import pytest
from django.core import mail
from django.db import connection
from django.utils.html import escape

from tests.deliberation.conftest import build_room, seat
from tests.deliberation.test_access_matrix import ROLES, page_routes
from tests.deliberation.test_map import vote
from tests.helpers import sign_in
from track2.deliberation import actions, room_actions
from track2.deliberation.models import Moderation, Room, Statement, StatementEdit, Vote
from track2.people.models import Affiliation

ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
N = 8


@pytest.fixture
def meeting_run(make_user, institution, caplog):
    caplog.set_level(logging.DEBUG)
    names = [
        f"Canaryname{i:02d} Zqxsurname{i:02d}" for i in range(N)
    ]  # no token holds it by chance
    room = build_room(make_user, institution, per_side=N // 2, names=names)
    for i, person in enumerate(room.persons.values()):
        person.email = f"canarymail{i:02d}@example.org"
        person.save()
        Affiliation.objects.create(person=person, organisation=f"Canaryorg{i:02d} Institute")
    canaries = [
        *names,
        *(f"canarymail{i:02d}" for i in range(N)),
        *(f"Canaryorg{i:02d}" for i in range(N)),
    ]
    canaries += ["canaryname", "zqxsurname"]
    facilitator = room.users["facilitator"]
    submitted = []
    for i, user in enumerate(room.participants * 3):
        text = f"Proposal {len(submitted):02d}: measure {i} for the shared sea."
        s = actions.do_submit(actions.check_submit(user, room.dialogue.pk, room.meeting.pk, text))
        submitted.append(s)
    held = actions.do_submit(
        actions.check_submit(
            room.participants[0], room.dialogue.pk, room.meeting.pk, "As Canaryname03 said, no."
        )
    )
    assert held.status == "held"

    def decide(statement, decision, **kw):
        actions.do_moderate(
            facilitator,
            actions.check_moderate(
                facilitator, room.dialogue.pk, room.meeting.pk, statement.pk, decision, **kw
            ),
        )

    for s in submitted[:-4]:
        decide(s, "accept")
    decide(submitted[-4], "reject", reason="Repeats another statement.")
    decide(submitted[-3], "fix", text=submitted[-3].text + " (fixed)")
    decide(held, "reject", reason="Names a participant.")
    accepted = list(Statement.objects.filter(status="accepted"))
    for i, user in enumerate(room.participants):
        for j, s in enumerate(accepted):
            vote(room, user, s, ("agree", "disagree", "pass")[(i * j + i) % 3])
        vote(room, user, accepted[0], "agree")  # changed votes
    room_actions.do_room_settings(
        facilitator,
        *room_actions.check_room_settings(
            facilitator, room.dialogue.pk, room.meeting.pk, {"results": "always"}
        ),
    )
    return room, canaries, submitted, accepted


def _scan(text: str, canaries, pseudonyms, where: str) -> None:
    low = text.lower()
    for canary in canaries:
        assert canary.lower() not in low, f"{canary} in {where}"
    for p in pseudonyms:
        assert p not in text, f"a pseudonym in {where}"


def test_no_canary_on_any_surface(meeting_run, client, api, caplog):
    room, canaries, submitted, accepted = meeting_run
    pseudonyms = set(Vote.objects.values_list("pseudonym", flat=True)) | set(
        Statement.objects.exclude(author="").values_list("author", flat=True)
    )
    assert len(pseudonyms) == N
    held = Statement.objects.get(text__startswith="As Canaryname03")
    # Pages, every role.
    pending = Statement.objects.filter(status="pending").first() or submitted[-1]
    for role in ROLES:
        client.logout()
        sign_in(client, room.users[role])
        for method, url, _body, _exp in page_routes(room, accepted[0], pending):
            if method != "get":
                continue
            body = client.get(url).content.decode()
            if escape(held.text) in body:
                # The statement that names someone: seen by its author (their own list) and by
                # no one else — it was rejected, never shown to the room.
                assert (role, url.rsplit("/room/", 1)[1]) == ("participant", "mine/"), (role, url)
            _scan(body.replace(escape(held.text), ""), canaries, pseudonyms, f"{url} as {role}")
    # API answers, every role.
    for role in ROLES:
        call = api(room.users[role])
        for tail in (
            "/statements",
            "/statements?view=queue",
            "/statements?view=mine",
            "/statements?view=notes",
            "/common-ground",
        ):
            response = call("get", room.url(tail))
            text = response.content.decode()
            _scan(text.replace(held.text, ""), canaries, pseudonyms, f"{tail} as {role}")
            assert not ISO_TIME.search(text), f"a time in {tail}"
            if tail == "/statements" and response.status_code == 200:
                ids = [item["id"] for item in response.json()["items"]]
                order = [s.pk for s in submitted if s.pk in ids]
                assert ids != order, "the list follows the order of submission"
    # Exports.
    convener = api(room.users["convener"])
    for fmt in ("csv", "json", "polis"):
        content = convener("get", room.url(f"/export?format={fmt}")).content
        if fmt == "polis":
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                text = "".join(archive.read(n).decode() for n in archive.namelist())
        else:
            text = content.decode()
        _scan(text, canaries, pseudonyms, f"export {fmt}")
        assert not ISO_TIME.search(text)
    # Close (chatham_house: rows stay) — then e-mails and log lines.
    facilitator = room.users["facilitator"]
    room_actions.do_close(
        facilitator, room_actions.check_close(facilitator, room.dialogue.pk, room.meeting.pk)
    )
    for message in mail.outbox:
        _scan(message.subject + message.body, canaries, pseudonyms, "an e-mail")
    for record in caplog.records:
        _scan(record.getMessage(), canaries, pseudonyms, f"log {record.name}")
    # Content tables: no canary at all, except the text the facilitators rejected for naming one.
    for model in (Statement, Vote, Moderation, StatementEdit, Room):
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608  (our own table names)
            rows = json.dumps(cursor.fetchall(), default=str)
        _scan(rows.replace(json.dumps(held.text)[1:-1], ""), canaries, (), f"table {table}")


def test_off_record_close_keeps_only_aggregates(meeting_run, api):
    room, _canaries, _submitted, accepted = meeting_run
    room.meeting.attribution_mode = "off_record"
    room.meeting.save()
    before = api(room.users["facilitator"])("get", room.url("/common-ground")).json()
    counts = {s.pk: s.votes.count() for s in accepted}
    facilitator = room.users["facilitator"]
    room_actions.do_close(
        facilitator, room_actions.check_close(facilitator, room.dialogue.pk, room.meeting.pk)
    )
    assert not Vote.objects.exists()
    assert not Statement.objects.exclude(author="").exists()
    for s in Statement.objects.filter(pk__in=counts):
        assert s.kept_agrees + s.kept_disagrees + s.kept_passes == counts[s.pk]
    after = api(room.users["facilitator"])("get", room.url("/common-ground")).json()
    assert after == before
    # The Pol.is export still has the texts and counts.
    content = api(room.users["convener"])("get", room.url("/export?format=polis")).content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        comments = archive.read("comments.csv").decode()
        assert archive.read("votes.csv").decode().count("\n") == 1
    assert accepted[1].text in comments


def test_seat_helper_is_exercised(make_user, institution):
    room = build_room(make_user, institution, per_side=1)
    seat(room.dialogue, room.meeting, room.north, make_user("x@example.org"), "Extra Person")
    assert room.meeting.participants.count() == 3
