"""Seed one meeting room at Track 3 scale for benchmarks/bench_room.py: 2,000 seated participants
in two delegations, 300 accepted statements, votes of 1,800 of them on a quarter of the statements;
200 load voters and one probe voter hold accounts and API tokens and have not voted yet.

Run by bench_room.py as `python -m benchmarks.seed_room` with DJANGO_SETTINGS_MODULE and the
site's TRACK2_HOME / TRACK2_DATABASE_URL; prints one JSON line with what the load needs."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import django

PARTICIPANTS = 2000
STATEMENTS = 300
LOAD_VOTERS = 200
SHARE_VOTED = 0.25


def main() -> None:
    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    call_command("migrate", interactive=False, verbosity=0)

    from track2 import keyring
    from track2.accounts import actions as account_actions
    from track2.accounts.models import User
    from track2.deliberation.models import Room, Statement, Vote
    from track2.dialogues.models import (
        Delegation,
        DelegationMember,
        Dialogue,
        Membership,
        Role,
    )
    from track2.institutions.models import Institution
    from track2.meetings.models import Meeting, MeetingParticipant
    from track2.people.models import Person

    rng = random.Random(2026)
    with transaction.atomic():
        institution = Institution.objects.create(name="Benchmark Institute")
        dialogue = Dialogue.objects.create(title="Benchmark Sea Dialogue", institution=institution)
        start = timezone.now() - timedelta(hours=1)
        meeting = Meeting.objects.create(
            dialogue=dialogue,
            title="Room at work",
            starts_at=start,
            ends_at=start + timedelta(hours=8),
        )
        Room.objects.create(meeting=meeting, moderation=Room.Moderation.POST)
        sides = [
            Delegation.objects.create(dialogue=dialogue, name="North"),
            Delegation.objects.create(dialogue=dialogue, name="South"),
        ]
        facilitator = User.objects.create_user(email="facilitator@bench.example", password=None)
        Membership.objects.create(dialogue=dialogue, user=facilitator, role=Role.FACILITATOR)
        # Accounts (no usable password: tokens only) for the load voters and the probe voter.
        with_account = LOAD_VOTERS + 1
        users = User.objects.bulk_create(
            User(email=f"voter{i}@bench.example", password=make_password(None))
            for i in range(with_account)
        )
        Membership.objects.bulk_create(
            Membership(dialogue=dialogue, user=u, role=Role.PARTICIPANT) for u in users
        )
        persons = Person.objects.bulk_create(
            Person(
                institution=institution,
                full_name=f"Participant {i:04d}",
                sector="academia",
                country="Caldera",
                email=f"p{i}@bench.example",
                user=users[i] if i < with_account else None,
            )
            for i in range(PARTICIPANTS)
        )
        DelegationMember.objects.bulk_create(
            DelegationMember(dialogue=dialogue, delegation=sides[i % 2], person=p)
            for i, p in enumerate(persons)
        )
        MeetingParticipant.objects.bulk_create(
            MeetingParticipant(
                meeting=meeting, person=p, status=MeetingParticipant.Status.CONFIRMED
            )
            for p in persons
        )
        statements = Statement.objects.bulk_create(
            Statement(
                meeting=meeting,
                text=f"Benchmark statement {i:03d}: joint measures on issue {i}.",
                status=Statement.Status.ACCEPTED,
            )
            for i in range(STATEMENTS)
        )
        probe_statement = statements[0]
        pseudonyms = [keyring.pseudonym(dialogue.pk, p.pk) for p in persons]
        # Everyone without an account has voted on a quarter of the statements (a planted split:
        # the two sides lean opposite ways on even statements), and on the probe statement.
        votes = []
        for i in range(with_account, PARTICIPANTS):
            chosen = {probe_statement.pk} | {
                s.pk for s in rng.sample(statements, int(STATEMENTS * SHARE_VOTED))
            }
            for sid in chosen:
                lean = 1 if (i % 2 == 0) == (sid % 2 == 0) else -1
                value = lean if rng.random() < 0.7 else rng.choice((-1, 0, 1))
                votes.append(
                    Vote(meeting=meeting, statement_id=sid, pseudonym=pseudonyms[i], value=value)
                )
        Vote.objects.bulk_create(votes, batch_size=5000)
    tokens = [account_actions.do_create_api_token(u, "bench")[0] for u in users]
    print(
        json.dumps(
            {
                "dialogue": dialogue.pk,
                "meeting": meeting.pk,
                "statements": [s.pk for s in statements[1:]],
                "probe_statement": probe_statement.pk,
                "facilitator": account_actions.do_create_api_token(facilitator, "bench")[0],
                "voters": tokens[:LOAD_VOTERS],
                "voter_pseudonyms": pseudonyms[:LOAD_VOTERS],
                "probe": tokens[LOAD_VOTERS],
                "seeded_votes": len(votes),
            }
        )
    )


def seeded_site(home: str | os.PathLike[str]) -> dict[str, str]:
    """The environment of an in-process benchmark's site in ``home`` (SQLite), with this room
    seeded into it (in a child process): ``ROOM_SEED`` holds what the load needs, the JSON line
    :func:`main` prints."""
    root = Path(__file__).resolve().parents[1]
    env = {
        **os.environ,
        "TRACK2_HOME": str(home),
        "TRACK2_EMAIL_URL": "locmem://",
        "DJANGO_SETTINGS_MODULE": "track2.settings",
        "PYTHONPATH": os.pathsep.join([str(root / "src"), str(root)]),
    }
    seeded = subprocess.run(
        [sys.executable, "-m", "benchmarks.seed_room"],
        env=env,
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    env["ROOM_SEED"] = seeded.stdout.strip().splitlines()[-1]
    return env


if __name__ == "__main__":
    main()
