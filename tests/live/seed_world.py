"""Migrate a fresh database and build the dialogues tests' world in it (for served tests);
prints one JSON line: ids and a personal token per role. Run with DJANGO_SETTINGS_MODULE set.

Beside it, a second dialogue of the same institution for the test that deletes one ("doomed"):
two conveners (the world's and another) and a room with a statement its two participants voted
on, so that a server keeps a map of it."""

from __future__ import annotations

import json
from datetime import timedelta

import django


def doomed(make_user, world) -> dict:
    from django.utils import timezone

    from tests.deliberation.conftest import seat
    from track2.accounts import actions as account_actions
    from track2.deliberation import actions as room
    from track2.dialogues.models import Delegation, Dialogue, Membership, Role
    from track2.meetings.models import Meeting

    convener = world.users["convener"]
    dialogue = Dialogue.objects.create(title="Doomed Talks", institution=world.dialogue.institution)
    second = make_user("second.convener@example.org")
    for user in (convener, second):
        Membership.objects.create(dialogue=dialogue, user=user, role=Role.CONVENER)
    start = timezone.now() - timedelta(hours=1)
    meeting = Meeting.objects.create(
        dialogue=dialogue, title="Round 1", starts_at=start, ends_at=start + timedelta(hours=3)
    )
    voters = []
    for i, side in enumerate(("North", "South")):
        user = make_user(f"doomed.{i}@example.org")
        Membership.objects.create(dialogue=dialogue, user=user, role=Role.PARTICIPANT)
        delegation = Delegation.objects.create(dialogue=dialogue, name=side)
        seat(dialogue, meeting, delegation, user, f"Doomed Person {i}")
        voters.append(user)
    statement = room.do_submit(
        room.check_submit(voters[0], dialogue.pk, meeting.pk, "Ports stay open.")
    )
    room.do_moderate(
        convener, room.check_moderate(convener, dialogue.pk, meeting.pk, statement.pk, "accept")
    )
    for user in voters:
        room.do_vote(room.check_vote(user, dialogue.pk, meeting.pk, statement.pk, "agree"))
    return {
        "dialogue": dialogue.pk,
        "meeting": meeting.pk,
        "title": dialogue.title,
        "second_convener": account_actions.do_create_api_token(second, "live tests")[0],
    }


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
        json.dumps(
            {
                "dialogue": world.dialogue.pk,
                "meeting": world.meeting.pk,
                "tokens": tokens,
                "doomed": doomed(make_user, world),
            }
        )
    )


if __name__ == "__main__":
    main()
