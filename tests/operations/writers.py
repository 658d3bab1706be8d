"""20 participants voting while a backup is taken (run as
`python -m tests.operations.writers ACKS STOP` with a migrated site's environment).

It builds a meeting room (two delegations of 10, 2,000 accepted statements), writes
ACKS.voters ("client pseudonym" per line) and ACKS.statements (one statement id per line, in
voting order), then each participant, in its own thread and database connection, votes on the
statements in that order through the room's own actions (`check_vote`, `do_vote`: the access
rules, the pseudonym, the upsert), one transaction per vote, and appends "client number" to ACKS
only after its commit returned: an acknowledged vote."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import django

CLIENTS = 20
STATEMENTS = 2000


def build(acks: Path):
    from tests.deliberation.conftest import build_room
    from tests.helpers import PASSWORD
    from track2.accounts.models import User
    from track2.deliberation import actions
    from track2.deliberation.models import Statement
    from track2.institutions.models import Institution

    def make_user(email, password=PASSWORD, **fields):
        return User.objects.create_user(email=email, password=password, **fields)

    world = build_room(
        make_user, Institution.objects.create(name="Backup Institute"), per_side=CLIENTS // 2
    )
    statements = Statement.objects.bulk_create(
        Statement(
            meeting=world.meeting,
            text=f"Probe statement number {n}",
            status=Statement.Status.ACCEPTED,
            position=n,
        )
        for n in range(1, STATEMENTS + 1)
    )
    ids = [s.pk for s in statements]
    voters = []
    for client, user in enumerate(world.participants):
        ballot = actions.check_vote(user, world.dialogue.pk, world.meeting.pk, ids[0], "agree")
        voters.append(f"{client} {ballot.pseudonym}\n")
    Path(f"{acks}.statements").write_text("".join(f"{i}\n" for i in ids))
    Path(f"{acks}.voters").write_text("".join(voters))
    return world, ids


def client(number, user, world, ids, acks: Path, stop: Path, lock: threading.Lock) -> None:
    from django.db import connection, transaction

    from track2.deliberation import actions

    for sequence, statement_id in enumerate(ids, start=1):
        if stop.exists():
            break
        with transaction.atomic():
            ballot = actions.check_vote(
                user, world.dialogue.pk, world.meeting.pk, statement_id, "agree"
            )
            actions.do_vote(ballot)
        with lock, acks.open("a") as handle:
            handle.write(f"{number} {sequence}\n")
        time.sleep(0.005)
    connection.close()


def main() -> None:
    acks, stop = Path(sys.argv[1]), Path(sys.argv[2])
    django.setup()
    world, ids = build(acks)
    lock = threading.Lock()
    threads = [
        threading.Thread(target=client, args=(n, user, world, ids, acks, stop, lock))
        for n, user in enumerate(world.participants)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


if __name__ == "__main__":
    main()
