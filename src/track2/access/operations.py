"""A dialogue's retention policy and key destruction: its conveners' alone.

Everyone else (other roles, outsiders, conveners of other dialogues or institutions, the site
administrator) gets the same NotFound as for a dialogue that does not exist."""

from __future__ import annotations

from dataclasses import dataclass

from track2 import keyring
from track2.access import DialogueAccess, access_dialogue
from track2.operations.models import KeyDestruction, RetentionPolicy


@dataclass(frozen=True)
class RetentionAccess:
    dialogue_access: DialogueAccess
    # The stored policy, or the default one (keep everything) not yet saved.
    policy: RetentionPolicy
    destruction: KeyDestruction | None

    @property
    def is_key_destroyed(self) -> bool:
        destroyed = self.destruction is not None and self.destruction.destroyed_at is not None
        return destroyed or keyring.is_destroyed(self.dialogue_access.dialogue.pk)

    @property
    def pending(self) -> KeyDestruction | None:
        """A request to destroy the key that awaits a second convener."""
        if self.destruction is None or self.is_key_destroyed:
            return None
        return self.destruction


def access_retention(user, dialogue_id) -> RetentionAccess:
    ctx = access_dialogue(user, dialogue_id, need="convener")
    dialogue = ctx.dialogue
    policy = RetentionPolicy.objects.filter(dialogue=dialogue).first()
    destruction = (
        KeyDestruction.objects.filter(dialogue=dialogue)
        .select_related("requested_by", "confirmed_by")
        .first()
    )
    return RetentionAccess(ctx, policy or RetentionPolicy(dialogue=dialogue), destruction)
