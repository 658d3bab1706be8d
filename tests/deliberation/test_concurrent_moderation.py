"""Two facilitators moderating at once, from two processes (PostgreSQL only: SQLite writes one
transaction at a time): each decision is judged on what the other left, so the room's rules
hold — no statement merged into one that is itself merged away, no twin accepted twice, nothing
merged into a statement rejected meanwhile — and the later request gets a clear refusal, not a 500."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from tests.deliberation.test_map import accepted_statement
from tests.parallel import at_once
from track2.audit.models import AuditEntry
from track2.deliberation import actions
from track2.deliberation.models import Statement, Vote
from track2.errors import ActionRefused

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL"
    ),
]


def _moderate(room, by, statement, decision, **given):
    # As the API does it: check, then write, in the request's one transaction.
    def run():
        with transaction.atomic():
            return actions.do_moderate(
                by,
                actions.check_moderate(
                    by, room.dialogue.pk, room.meeting.pk, statement.pk, decision, **given
                ),
            )

    return run


def _only_refusals(errors):
    assert all(isinstance(e, ActionRefused) for e in errors), errors


def test_two_statements_merged_into_each_other_at_once(room):
    facilitator, convener = room.users["facilitator"], room.users["convener"]
    for i in range(4):
        a = accepted_statement(room, f"Fishing quotas should be shared, take {i}.")
        b = accepted_statement(room, f"Quotas for fishing ought to be shared, take {i}.")
        for user, answer, statement in (
            (room.participants[1], "agree", a),
            (room.participants[2], "disagree", b),
        ):
            actions.do_vote(
                actions.check_vote(user, room.dialogue.pk, room.meeting.pk, statement.pk, answer)
            )
        _done, errors = at_once(
            [
                _moderate(room, facilitator, a, "merge", into=b.pk),
                _moderate(room, convener, b, "merge", into=a.pk),
            ]
        )
        _only_refusals(errors)
        a.refresh_from_db()
        b.refresh_from_db()
        # Exactly one was merged, into the other, which stays in the room with both votes.
        assert sorted([a.status, b.status]) == [Statement.Status.ACCEPTED, Statement.Status.MERGED]
        kept = a if a.status == Statement.Status.ACCEPTED else b
        assert Vote.objects.filter(statement=kept).count() == 2


def test_twins_accepted_at_once_enter_the_room_once(room):
    facilitator, convener = room.users["facilitator"], room.users["convener"]
    for i in range(4):
        text = f"Open a hotline between the coast guards, draft {i}."
        first, second = (
            actions.do_submit(actions.check_submit(user, room.dialogue.pk, room.meeting.pk, text))
            for user in room.participants[:2]
        )
        _done, errors = at_once(
            [
                _moderate(room, facilitator, first, "accept"),
                _moderate(room, convener, second, "accept"),
            ]
        )
        _only_refusals(errors)
        accepted = Statement.objects.filter(text=text, status=Statement.Status.ACCEPTED)
        assert accepted.count() == 1


def test_nothing_is_merged_into_a_statement_rejected_at_once(room):
    facilitator, convener = room.users["facilitator"], room.users["convener"]
    for i in range(4):
        target = accepted_statement(room, f"Exchange catch data each season, round {i}.")
        other = accepted_statement(room, f"Share catch figures every season, round {i}.")
        _done, errors = at_once(
            [
                _moderate(room, facilitator, other, "merge", into=target.pk),
                _moderate(room, convener, target, "reject", reason="Off the agenda."),
            ]
        )
        _only_refusals(errors)
        other.refresh_from_db()
        target.refresh_from_db()
        # Merged only into a statement still in the room when the merge was made: a merge that
        # came first may be followed by the rejection (as one after the other), never the reverse.
        if other.status == Statement.Status.MERGED and target.status != Statement.Status.ACCEPTED:
            merged = AuditEntry.objects.get(action="moderate_merge", object_id=other.pk)
            rejected = AuditEntry.objects.get(action="moderate_reject", object_id=target.pk)
            assert merged.at < rejected.at
