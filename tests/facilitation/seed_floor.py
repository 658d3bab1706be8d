"""Migrate a fresh database and build the room's world with a two-item agenda (for the browser
test of the floor); prints one JSON line with the ids."""

from __future__ import annotations

import json

import django


def main() -> None:
    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)

    from tests.deliberation.conftest import build_room
    from tests.helpers import PASSWORD
    from track2.accounts.models import User
    from track2.institutions.models import Institution
    from track2.meetings.models import AgendaItem

    def make_user(email, password=PASSWORD, **fields):
        return User.objects.create_user(email=email, password=password, **fields)

    room = build_room(make_user, Institution.objects.create(name="Floor Institute"), per_side=2)
    AgendaItem.objects.create(
        meeting=room.meeting, position=1, title="Fisheries", duration_minutes=30
    )
    AgendaItem.objects.create(
        meeting=room.meeting, position=2, title="Hotline", duration_minutes=20
    )
    # One statement in the room, for the console's embedded map.
    from tests.deliberation.test_map import accepted_statement

    accepted_statement(room, "A coast-guard hotline would help.")
    print(
        json.dumps(
            {"dialogue": room.dialogue.pk, "meeting": room.meeting.pk, "north": room.north.pk}
        )
    )


if __name__ == "__main__":
    main()
