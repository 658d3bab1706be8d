"""What the room's commands share: who they act as (the same access rules as the pages)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.core.management.base import CommandError, CommandParser

from track2.access import NotFound
from track2.accounts.models import User
from track2.errors import ActionRefused
from track2.validation import MAX_ID

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


def _options_problems(acting: str, dialogue: int, meeting: int) -> tuple[User | None, list[str]]:
    """The acting account, and what is wrong with the options: every problem at once."""
    problems = [
        f"--{name} must be an id from 1 to {MAX_ID}, not {value}."
        for name, value in (("dialogue", dialogue), ("meeting", meeting))
        if not 1 <= value <= MAX_ID
    ]
    user = User.objects.filter(email__iexact=acting.strip(), is_active=True).first()
    if user is None:
        problems.append(f"--as {acting.strip()[:254]}: no active account has this address.")
    return user, problems


def one_line(text: str) -> str:
    return " ".join(str(text).split())


def run_as(acting: str, dialogue: int, meeting: int, act: Callable[[User], T]) -> T:
    """`act(user)` as the account `acting`; a refusal becomes the command's one-line error."""
    user, problems = _options_problems(acting, dialogue, meeting)
    if problems or user is None:
        raise CommandError(" ".join(problems))
    try:
        return act(user)
    except NotFound:
        raise CommandError(
            f"No meeting {meeting} in dialogue {dialogue} that {acting.strip()} convenes."
        ) from None
    except ActionRefused as refusal:
        # every problem the action found, not only the first (e.g. each bad comment of an import)
        raise CommandError(one_line("; ".join(refusal.messages()))) from None
