"""Migrate a fresh database and build the deliberation tests' room in it (for served tests);
prints one JSON line: ids and a personal token per role and per participant."""

from __future__ import annotations

import json

import django


def main() -> None:
    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)

    from tests.deliberation.conftest import build_room, token_for
    from tests.helpers import PASSWORD
    from track2.accounts.models import User
    from track2.institutions.models import Institution

    def make_user(email, password=PASSWORD, **fields):
        return User.objects.create_user(email=email, password=password, **fields)

    room = build_room(make_user, Institution.objects.create(name="Live Institute"), per_side=2)
    print(
        json.dumps(
            {
                "dialogue": room.dialogue.pk,
                "meeting": room.meeting.pk,
                "tokens": {role: token_for(user) for role, user in room.users.items()},
                "participants": [token_for(user) for user in room.participants],
            }
        )
    )


if __name__ == "__main__":
    main()
