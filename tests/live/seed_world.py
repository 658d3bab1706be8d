"""Migrate a fresh database and build the dialogues tests' world in it (for served tests);
prints one JSON line: ids and a personal token per role. Run with DJANGO_SETTINGS_MODULE set."""

from __future__ import annotations

import json

import django


def main() -> None:
    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)

    from tests.dialogues.conftest import build_world
    from tests.helpers import PASSWORD
    from track2.accounts import actions as account_actions
    from track2.accounts.models import User
    from track2.institutions.models import Institution

    def make_user(email, password=PASSWORD, **fields):
        return User.objects.create_user(email=email, password=password, **fields)

    world = build_world(make_user, Institution.objects.create(name="Live Institute"))
    tokens = {
        role: account_actions.do_create_api_token(user, "live tests")[0]
        for role, user in world.users.items()
    }
    print(
        json.dumps({"dialogue": world.dialogue.pk, "meeting": world.meeting.pk, "tokens": tokens})
    )


if __name__ == "__main__":
    main()
