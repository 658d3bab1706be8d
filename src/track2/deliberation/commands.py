"""What the room's commands share: who they act as (the same access rules as the pages)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.management.base import CommandError, CommandParser

from track2.access import NotFound
from track2.accounts.models import User
from track2.errors import ActionRefused

T = TypeVar("T")


def add_meeting_arguments(parser: CommandParser) -> None:
    parser.add_argument(
        "--dialogue", type=int, required=True, metavar="ID", help="the dialogue's id"
    )
    parser.add_argument("--meeting", type=int, required=True, metavar="ID", help="the meeting's id")
    parser.add_argument(
        "--as",
        dest="acting",
        required=True,
        metavar="EMAIL",
        help="act as this account, a convener of the dialogue (its rights are checked as on the pages)",
    )


def acting_user(email: str) -> User:
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        raise CommandError(f"--as {email.strip()[:254]}: no active account has this address.")
    return user


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def run_as(acting: str, dialogue: int, meeting: int, act: Callable[[User], T]) -> T:
    """`act(user)` as the account `acting`; a refusal becomes the command's one-line error."""
    user = acting_user(acting)
    try:
        return act(user)
    except NotFound:
        raise CommandError(
            f"No meeting {meeting} in dialogue {dialogue} that {acting.strip()} convenes."
        ) from None
    except ActionRefused as refusal:
        raise CommandError(one_line(refusal.message)) from None
