"""Meetings moved from the dialogues app to their own: an existing database migrates forward
with every meeting, agenda item and attendance row intact, and back again.

Built as Django's own migration tests are: a MigrationExecutor takes the real database back to
the migration before the move, rows are written with the models of that moment, and the
executor migrates forward."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

MOVE = ("dialogues", "0009_meetings_own_app")

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()  # the graph after any earlier migrate in this test
    executor.migrate(targets)
    # The state at those targets ("app, None": none of that app's migrations applied).
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def _leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _just_before_the_move():
    """Every app at its latest migration that does not need the move (meetings: none at all).
    The database is brought up to date first, so that going back is one backwards plan whatever
    an earlier test left applied (Django refuses plans that mix both directions)."""
    _migrate(_leaves())
    graph = MigrationExecutor(connection).loader.graph
    after_move = set(graph.backwards_plan(MOVE))  # the move and everything that needs it
    targets = []
    for app, name in graph.leaf_nodes():
        node = (app, name)
        while node is not None and node in after_move:
            parents = [p for p in graph.node_map[node].parents if p.key[0] == app]
            node = parents[0].key if parents else None
        targets.append(node or (app, None))
    return targets


def _rows_before_the_move(apps) -> dict[str, int]:
    institution = apps.get_model("institutions", "Institution").objects.create(name="Old Institute")
    dialogue = apps.get_model("dialogues", "Dialogue").objects.create(
        title="Old series", institution=institution
    )
    venue = apps.get_model("dialogues", "Venue").objects.create(
        dialogue=dialogue, name="Lake house", kind="private_home", country="Austria", capacity=9
    )
    person = apps.get_model("people", "Person").objects.create(
        institution=institution,
        full_name="Amal Haddad",
        sector="academia",
        email="amal@example.org",
    )
    meeting = apps.get_model("dialogues", "Meeting").objects.create(
        dialogue=dialogue,
        venue=venue,
        title="Round 1",
        starts_at=datetime(2025, 3, 1, 9, tzinfo=UTC),
        ends_at=datetime(2025, 3, 1, 17, tzinfo=UTC),
        time_zone="Europe/Vienna",
        archived_at=datetime(2025, 4, 1, tzinfo=UTC),
    )
    item = apps.get_model("dialogues", "AgendaItem").objects.create(
        meeting=meeting, position=1, title="Water rights", duration_minutes=90, lead=person
    )
    seat = apps.get_model("dialogues", "MeetingParticipant").objects.create(
        meeting=meeting, person=person, status="attended"
    )
    return {"meeting": meeting.pk, "item": item.pk, "seat": seat.pk, "person": person.pk}


def test_an_old_database_keeps_its_meetings_agendas_and_attendance():
    try:
        old = _migrate(_just_before_the_move())
        with pytest.raises(LookupError):
            old.get_model("meetings", "Meeting")  # the app has no models yet at this point
        ids = _rows_before_the_move(old)

        new = _migrate(_leaves())
        meeting = new.get_model("meetings", "Meeting").objects.get(pk=ids["meeting"])
        assert (meeting.title, meeting.time_zone, meeting.venue.name) == (
            "Round 1",
            "Europe/Vienna",
            "Lake house",
        )
        assert meeting.archived_at == datetime(2025, 4, 1, tzinfo=UTC)
        item = new.get_model("meetings", "AgendaItem").objects.get(pk=ids["item"])
        assert (item.meeting_id, item.title, item.lead_id) == (
            ids["meeting"],
            "Water rights",
            ids["person"],
        )
        seat = new.get_model("meetings", "MeetingParticipant").objects.get(pk=ids["seat"])
        assert (seat.meeting_id, seat.person_id, seat.status) == (
            ids["meeting"],
            ids["person"],
            "attended",
        )
        # The move renamed nothing in the database: the same tables hold the rows.
        with connection.cursor() as cursor:
            cursor.execute("SELECT title FROM dialogues_meeting WHERE id = %s", [ids["meeting"]])
            assert cursor.fetchone() == ("Round 1",)
        # Permissions and admin history follow the models to their new app.
        content_type = new.get_model("contenttypes", "ContentType")
        assert not content_type.objects.filter(app_label="dialogues", model="meeting").exists()

        # And back: unapplying the move keeps the rows too.
        back = _migrate(_just_before_the_move())
        assert (
            back.get_model("dialogues", "Meeting").objects.get(pk=ids["meeting"]).title == "Round 1"
        )
    finally:
        _migrate(_leaves())


def test_the_current_models_read_the_moved_rows():
    from track2.meetings.models import AgendaItem, Meeting, MeetingParticipant

    try:
        ids = _rows_before_the_move(_migrate(_just_before_the_move()))
        _migrate(_leaves())
        meeting = Meeting.objects.select_related("dialogue", "venue").get(pk=ids["meeting"])
        assert meeting.dialogue.title == "Old series"
        assert list(meeting.agenda_items.values_list("pk", flat=True)) == [ids["item"]]
        assert MeetingParticipant.objects.get(pk=ids["seat"]).meeting == meeting
        assert AgendaItem._meta.db_table == "dialogues_agendaitem"
        assert meeting.venue.meetings.get() == meeting  # the reverse accessor Venue.meetings
    finally:
        _migrate(_leaves())
