"""What cannot be undone takes two conveners of the dialogue: one asks, a different one confirms.

Destroying the dialogue's pseudonym key (actions.py) and deleting the whole dialogue
(dialogue_deletion.py) share these rules: who counts as a convener able to decide, how the
dialogue is locked while one of them acts, and how a typed title is compared with the dialogue's.
"""

from __future__ import annotations

from django.db.models import QuerySet

from track2.accounts.models import User
from track2.dialogues.models import Dialogue, Role


def deciding_conveners(dialogue: Dialogue) -> QuerySet[User]:
    """The accounts that may ask for and confirm such a decision: the dialogue's conveners with
    an active account. Never a site administrator: administrators never convene in Track2
    (access/institutions.py), even holding a convener's role from before they became one."""
    return (
        User.objects.filter(
            memberships__dialogue=dialogue,
            memberships__role=Role.CONVENER,
            is_active=True,
            is_superuser=False,
        )
        .distinct()
        .order_by("display_name", "email")
    )


def lock_dialogue(dialogue_id: int) -> Dialogue | None:
    """The dialogue's row, locked until the caller's transaction ends (None once it is gone): two
    conveners acting at the same moment (two served workers) take turns, and the second one reads
    what the first did instead of failing on a duplicate or a missing row."""
    return Dialogue.objects.select_for_update().filter(pk=dialogue_id).first()


def fold_spaces(text: str) -> str:
    return " ".join(str(text).split())


def is_typed_title(dialogue: Dialogue, typed: str | None) -> bool:
    """Whether `typed` is the dialogue's title, spaces folded on both sides (a title copied from
    the page may carry a line break or a double space that the page does not show)."""
    return typed is not None and fold_spaces(typed) == fold_spaces(dialogue.title)
